using System.Collections.Concurrent;
using Chronicle.Contracts.Record.V1;
using Chronicle.Security;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Chronicle.Record.Tests.Grpc.RecordRequests;
using Chronicle.Testing;

namespace Chronicle.Record.Tests.Grpc;

/// <summary>
/// The record's gRPC service guarded by libs/Security's interceptor, in the Record as composed, over a real socket. Tokens
/// are real signed ones from a key the Record is told to trust (their checks against a real Identity are tested in
/// Chronicle.Identity.Tests): each names the caller's practice. The relationship rule is a table of the patients registered at each practice, and every
/// question put to it is recorded, which is what shows that junk never reaches Identity.
/// </summary>
public sealed class PatientRecordGrpcAccessTests() : IAsyncLifetime
{
    private readonly RegisteredPractices _practices = new();
    private RecordServer _server = null!;

    private PatientRecord.PatientRecordClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await RecordServer.StartAsync(StorageBackend.Sqlite, services =>
        services.AddSingleton<IPatientAccessChecker>(_practices));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A GP of <paramref name="practice"/>, with every user scope.</summary>
    private Metadata GpOf(string practice) => new() { { "authorization", $"Bearer {_server.Tokens.Staff($"gp.{practice}", StaffRoles.Gp, practice)}" } };

    private async Task<string> RegisterAtAsync(string practice, string patientId = "")
    {
        var registration = Registration(practice == "A81001" ? "943 476 5919" : "943 476 5927");
        registration.GeneralPracticeOds = practice;
        registration.PatientId = patientId;
        var registered = await Client.RegisterPatientAsync(registration, GpOf(practice));
        _practices.Register(practice, registered.PatientId);
        return registered.PatientId;
    }

    public static TheoryData<string> MalformedIds =>
        ["not-a-uuid", "{0b8f1c3e-5a4d-4e6f-9a1b-2c3d4e5f6a7b}", "0b8f1c3e5a4d4e6f9a1b2c3d4e5f6a7b", "00000000-0000-0000-0000-000000000000",
         "0b8f1c3e-5a4d-4e6f-9a1b-2c3d4e5f6a7b\0", "' OR 1=1 --"];

    [Theory]
    [MemberData(nameof(MalformedIds))]
    public async Task GivenMalformedPatientId_WhenEveryRpcNamingAPatientIsCalled_ThenInvalidArgumentAndIdentityIsNeverAsked(string junk)
    {
        var caller = GpOf("A81001");
        var calls = new Func<Task>[]
        {
            () => Client.GetRecordAsync(new GetRecordRequest { PatientId = junk }, caller).ResponseAsync,
            () => Client.GetRecordAsAtAsync(new GetRecordAsAtRequest { PatientId = junk, Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) }, caller).ResponseAsync,
            () => Client.GetHistoryAsync(new GetHistoryRequest { PatientId = junk }, caller).ResponseAsync,
            () => Client.UpdateDemographicsAsync(new UpdateDemographicsRequest { CommandId = NewId(), PatientId = junk, Demographics = Registration().Demographics }, caller).ResponseAsync,
            () => Client.RecordConsultationAsync(Consultation(junk, 0, Note("x")), caller).ResponseAsync,
            () => Client.ResolveProblemAsync(new ResolveProblemRequest { CommandId = NewId(), PatientId = junk, EntryId = NewId(), AbatementDate = "2024-01-01" }, caller).ResponseAsync,
            () => Client.MarkEnteredInErrorAsync(new MarkEnteredInErrorRequest { CommandId = NewId(), PatientId = junk, EntryId = NewId(), Reason = "wrong" }, caller).ResponseAsync,
            () => Client.RegisterPatientAsync(new RegisterPatientRequest(Registration()) { PatientId = junk }, caller).ResponseAsync,
        };

        foreach (var call in calls)
        {
            var refusal = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, refusal.StatusCode);
            Assert.StartsWith("patient_id: ", refusal.Status.Detail, StringComparison.Ordinal);
            Assert.Contains(junk.StartsWith("00000000-", StringComparison.Ordinal) ? "the nil UUID names nothing" : "is not a UUID",
                refusal.Status.Detail, StringComparison.Ordinal);
        }

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => Client.GetRecordAsync(new GetRecordRequest { PatientId = junk }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Empty(_practices.Asked);
        Assert.Empty(await _server.GlobalLogAsync());
    }

    [Fact]
    public async Task GivenAnotherPracticesPatient_WhenTheirIdIsRegistered_ThenTheAnswerIsTheOneATakenIdOfTheCallersOwnPracticeGets()
    {
        var elsewhere = await RegisterAtAsync("A81002");
        var own = await RegisterAtAsync("A81001");

        async Task<RpcException> RegisterAgainAsync(string patientId)
        {
            var registration = Registration("943 476 5870");
            registration.PatientId = patientId;
            return await Assert.ThrowsAsync<RpcException>(() => Client.RegisterPatientAsync(registration, GpOf("A81001")).ResponseAsync);
        }

        var otherPractice = await RegisterAgainAsync(elsewhere);
        var ownPractice = await RegisterAgainAsync(own);

        Assert.Equal((StatusCode.AlreadyExists, StatusCode.AlreadyExists), (otherPractice.StatusCode, ownPractice.StatusCode));
        Assert.Equal(ownPractice.Status.Detail.Replace(own, elsewhere, StringComparison.Ordinal), otherPractice.Status.Detail);
        Assert.DoesNotContain("registered", otherPractice.Status.Detail.Replace("registration", "", StringComparison.Ordinal), StringComparison.Ordinal);
        // Nothing about the patient is reserved or stored by the refused attempts: their NHS number stays free.
        _practices.Register("A81001", await RegisterNewAsync("943 476 5870"));
    }

    private async Task<string> RegisterNewAsync(string nhsNumber) =>
        (await Client.RegisterPatientAsync(Registration(nhsNumber), GpOf("A81001"))).PatientId;

    /// <summary>Staff reach the patients registered at their practice, as Identity decides; every question is kept.</summary>
    private sealed class RegisteredPractices : IPatientAccessChecker
    {
        private readonly ConcurrentDictionary<string, string> _practiceOf = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> Asked { get; } = new();

        public void Register(string practice, string patientId) => _practiceOf[patientId] = practice;

        public ValueTask<PatientAccessOutcome> CheckAsync(PatientAccessRequest request, CancellationToken cancellationToken)
        {
            Asked.Enqueue(request.PatientId);
            var practice = request.User.FindFirst(ChronicleClaims.Organisation)?.Value;
            return ValueTask.FromResult(_practiceOf.TryGetValue(request.PatientId, out var registeredAt) && registeredAt == practice
                ? PatientAccessOutcome.Allowed
                : PatientAccessOutcome.BreakGlassRequired);
        }
    }
}
