using Chronicle.Auditing;
using Chronicle.Contracts.Record.V1;
using Chronicle.EventStore;
using Chronicle.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>
/// The Record as its executable composes it (<see cref="ComposedRecord"/>: security and auditing on) over a test's own
/// storage, with a real gRPC client channel to its h2c listener.
/// </summary>
internal sealed class RecordServer : IAsyncDisposable
{
    private readonly ComposedRecord _record;
    private readonly GrpcChannel _channel;
    private readonly TestStorage _storage;

    private RecordServer(ComposedRecord record, GrpcChannel channel, TestStorage storage, bool authenticated)
    {
        _record = record;
        _channel = channel;
        _storage = storage;
        Client = authenticated
            ? new PatientRecord.PatientRecordClient(channel.Intercept(new StatedCallerToken(record.Tokens)))
            : new PatientRecord.PatientRecordClient(channel);
        Anonymous = new PatientRecord.PatientRecordClient(channel);
    }

    /// <summary>
    /// Without <c>security</c>, every call carries a token the Record accepts (see <see cref="StatedCallerToken"/>) and
    /// every patient is reachable; with it, calls carry what the test puts on them.
    /// </summary>
    public PatientRecord.PatientRecordClient Client { get; }

    /// <summary>A client whose calls carry no token.</summary>
    public PatientRecord.PatientRecordClient Anonymous { get; }

    /// <summary>Tokens the Record accepts.</summary>
    public TestTokens Tokens => _record.Tokens;

    /// <summary>The record's own events (its patient and NHS number streams), without the audit entries kept in the same store.</summary>
    public Task<IReadOnlyList<RecordedEvent>> GlobalLogAsync() => _record.RecordLogAsync();

    /// <summary>The audit entries the Record has made durable, oldest first.</summary>
    public Task<IReadOnlyList<AuditEntry>> AuditEntriesAsync() => _record.AuditEntriesAsync();

    /// <param name="security">
    /// Replaces what checks callers beyond their token (the <see cref="IPatientAccessChecker"/> that would ask Identity),
    /// applied after compose (<see cref="ServiceOverrides"/>). Without it every patient is reachable.
    /// </param>
    public static async Task<RecordServer> StartAsync(StorageBackend storage, Action<IServiceCollection>? security = null)
    {
        var reserved = await TestStorage.ReserveAsync(storage, ComposedRecord.StorageOptions());
        try
        {
            var record = await ComposedRecord.StartAsync(reserved, security ?? (services => services.AddSingleton<IPatientAccessChecker>(new EveryPatientReachable())));
            return new RecordServer(record, GrpcChannel.ForAddress(record.GrpcAddress), reserved, authenticated: security is null);
        }
        catch
        {
            await reserved.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _record.DisposeAsync();
        await _storage.DisposeAsync();
    }

    /// <summary>
    /// Gives a call without a token one that says who its provenance headers say is calling, as Identity would have signed
    /// it for them (x-user-id, x-user-role, x-organisation-ods, x-client-id; by default a GP at A81001 on gp-desktop), with
    /// every user scope.
    /// </summary>
    private sealed class StatedCallerToken(TestTokens tokens) : Interceptor
    {
        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            var headers = context.Options.Headers ?? [];
            if (headers.Get("authorization") is null)
            {
                string Stated(string header, string otherwise) => headers.GetValue(header) ?? otherwise;
                headers.Add("authorization", "Bearer " + tokens.Staff(Stated(Caller.UserIdHeader, "G8123456"), Stated(Caller.RoleHeader, StaffRoles.Gp),
                    Stated(Caller.OrganisationHeader, "A81001"), clientId: Stated(Caller.ClientIdHeader, "gp-desktop")));
                context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
            }

            return continuation(request, context);
        }
    }
}
