using Chronicle.Auditing;
using Chronicle.Contracts.Record.V1;
using Chronicle.EventStore;
using Chronicle.Record.Fhir.Projection;
using Chronicle.Security;
using Grpc.Core;

namespace Chronicle.Record.Messaging;

/// <summary>
/// chronicle.record.v1.RecordReplay: the record as it stood at a moment, folded from the stream by
/// <see cref="PatientRecordFold"/>, the same fold <c>Patient/$everything?_at=</c> answers from, so an auditor's replay and
/// the FHIR API agree by construction.
/// </summary>
public sealed class RecordReplayGrpcService(IEventStore store) : RecordReplay.RecordReplayBase
{
    [RequireFhirScope(SmartScope.AnyResource, ScopeAccess.Read)]
    [NoPatientRelationshipCheck] // auditors replay any record; everyone else needs the relationship (checked below)
    [Audited(AuditAction.Read)]
    public override async Task<FhirRecord> GetFhirRecordAsAt(GetFhirRecordAsAtRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        await Chronicle.Record.Grpc.RecordGrpcAccess.RequirePatientOrAuditorAsync(context, request.PatientId).ConfigureAwait(false);
        if (!Guid.TryParseExact(request.PatientId, "D", out var patientId))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"patient_id: '{request.PatientId}' is not a UUID."));
        if (request.Time is null)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "time: give the moment to replay the record at."));
        var at = request.Time.ToDateTimeOffset();
        var fold = await PatientRecordFold.LoadAsync(store, patientId, at, context.CancellationToken).ConfigureAwait(false);
        var record = fold.Current;
        if (!record.Any(r => r.Type == "Patient"))
            throw new RpcException(new Status(StatusCode.NotFound, $"Patient {request.PatientId} was not registered at {at:O}."));
        var reply = new FhirRecord();
        reply.ResourcesJson.AddRange(record.Select(r => r.Json));
        return reply;
    }
}
