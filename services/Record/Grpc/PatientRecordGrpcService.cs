using Chronicle.Contracts.Record.V1;
using Chronicle.Record.Application;
using Grpc.Core;

namespace Chronicle.Record.Grpc;

/// <summary>chronicle.record.v1.PatientRecord: reads requests into commands and queries, and results into replies.</summary>
public sealed class PatientRecordGrpcService(PatientRecordCommands commands, PatientRecordQueries queries, ICallerProvenance provenance)
    : PatientRecord.PatientRecordBase
{
    public override Task<CommandReply> RegisterPatient(RegisterPatientRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    public override Task<CommandReply> UpdateDemographics(UpdateDemographicsRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    public override Task<CommandReply> RecordConsultation(RecordConsultationRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    public override Task<CommandReply> ResolveProblem(ResolveProblemRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    public override Task<CommandReply> MarkEnteredInError(MarkEnteredInErrorRequest request, ServerCallContext context) =>
        RunAsync(ProtoRequests.Read(request), context);

    public override async Task<PatientRecordView> GetRecord(GetRecordRequest request, ServerCallContext context)
    {
        var patientId = ReadPatientId(request.PatientId);
        return ProtoReplies.View(await queries.GetRecordAsync(patientId, context.CancellationToken).ConfigureAwait(false));
    }

    public override async Task<PatientRecordView> GetRecordAsAt(GetRecordAsAtRequest request, ServerCallContext context)
    {
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

    public override async Task<GetHistoryReply> GetHistory(GetHistoryRequest request, ServerCallContext context)
    {
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
