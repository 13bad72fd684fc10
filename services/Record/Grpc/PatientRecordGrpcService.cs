using Chronicle.Auditing;
using Chronicle.Contracts.Record.V1;
using Chronicle.Record.Application;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Record.Grpc;

/// <summary>chronicle.record.v1.PatientRecord: reads requests into commands and queries, and results into replies.</summary>
public sealed class PatientRecordGrpcService(PatientRecordCommands commands, PatientRecordQueries queries, ICallerProvenance provenance)
    : PatientRecord.PatientRecordBase
{
    // Registering creates the relationship, so there is none to check; staff register only at their own practice.
    [RequireFhirScope("Patient", ScopeAccess.Create)]
    [NoPatientRelationshipCheck]
    [Audited(AuditAction.Create)]
    public override Task<CommandReply> RegisterPatient(RegisterPatientRequest request, ServerCallContext context)
    {
        RecordGrpcAccess.RequireOwnPractice(context, request.GeneralPracticeOds);
        return RunAsync(ProtoRequests.Read(request), context);
    }

    [RequireFhirScope("Patient", ScopeAccess.Update)]
    [Audited(AuditAction.Update)]
    public override Task<CommandReply> UpdateDemographics(UpdateDemographicsRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    [RequireFhirScope("Encounter", ScopeAccess.Create)]
    [Audited(AuditAction.Update)]
    public override Task<CommandReply> RecordConsultation(RecordConsultationRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    [RequireFhirScope("Condition", ScopeAccess.Update)]
    [Audited(AuditAction.Update)]
    public override Task<CommandReply> ResolveProblem(ResolveProblemRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    // Any entry of the record can be marked, so any resource type.
    [RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Update)]
    [Audited(AuditAction.EnteredInError)]
    public override Task<CommandReply> MarkEnteredInError(MarkEnteredInErrorRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    [RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Read)]
    [Audited(AuditAction.Read)]
    public override async Task<PatientRecordView> GetRecord(GetRecordRequest request, ServerCallContext context)
    {
        var patientId = ReadPatientId(request.PatientId);
        return ProtoReplies.View(await queries.GetRecordAsync(patientId, context.CancellationToken).ConfigureAwait(false));
    }

    [RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Read)]
    [NoPatientRelationshipCheck] // checked below: auditors replay any record
    [Audited(AuditAction.Read)]
    public override async Task<PatientRecordView> GetRecordAsAt(GetRecordAsAtRequest request, ServerCallContext context)
    {
        await RecordGrpcAccess.RequirePatientOrAuditorAsync(context, request.PatientId).ConfigureAwait(false);
        var read = new RequestReader();
        var patientId = read.PatientId(request.PatientId);
        RecordAsAt? asAt = request.AsAtCase switch
        {
            GetRecordAsAtRequest.AsAtOneofCase.Time => new RecordAsAt.Time(read.RequiredInstant("time", request.Time, "a time")),
            GetRecordAsAtRequest.AsAtOneofCase.LogPosition => new RecordAsAt.Position(
                new EventStore.LogPosition(request.LogPosition.Transaction, request.LogPosition.Position)),
            _ => null,
        };
        if (asAt is null)
            read.Reject("as_at", "give either a time or a log_position");
        read.ThrowIfAny();
        return ProtoReplies.View(await queries.GetRecordAsAtAsync(patientId, asAt!, context.CancellationToken).ConfigureAwait(false));
    }

    [RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Read)]
    [NoPatientRelationshipCheck] // checked below: auditors replay any record's history
    [Audited(AuditAction.History)]
    public override async Task<GetHistoryReply> GetHistory(GetHistoryRequest request, ServerCallContext context)
    {
        await RecordGrpcAccess.RequirePatientOrAuditorAsync(context, request.PatientId).ConfigureAwait(false);
        var patientId = ReadPatientId(request.PatientId);
        var page = await queries.GetHistoryAsync(patientId, request.FromVersion, request.MaxCount, context.CancellationToken).ConfigureAwait(false);
        return ProtoReplies.History(page);
    }

    private async Task<CommandReply> RunAsync(RequestedCommand requested, ServerCallContext context)
    {
        var commandContext = new CommandContext(requested.CommandId, requested.ExpectedVersion, provenance.Read(context));
        var changed = await commands.HandleAsync(requested.Command, commandContext, context.CancellationToken).ConfigureAwait(false);
        return ProtoReplies.Reply(changed);
    }

    private static Domain.PatientId ReadPatientId(string text)
    {
        var read = new RequestReader();
        var patientId = read.PatientId(text);
        read.ThrowIfAny();
        return patientId;
    }
}
