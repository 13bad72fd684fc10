using System.Net;
using Chronicle.Identity.Directory;
using V1 = Chronicle.Contracts.IntegrationEvents.Identity.IdentityIntegrationEventsV1;
using Chronicle.Identity.Hosting;
using Chronicle.Identity.Messaging;
using Chronicle.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>
/// A revocation bites on the Record's next request once Identity's change event has arrived, though the Record reuses
/// access answers for an hour here (see <see cref="RealServicesFixture"/>): the event, not the answer's expiry, refuses.
/// </summary>
[Collection(RealServicesCollection.Name)]
public sealed class RevocationTests(RealServicesFixture services)
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GivenAModuleReadingARecord_WhenThePracticeDisablesIt_ThenTheRecordRefusesItsNextRequest()
    {
        var manager = await services.UserTokenAsync(DemoDirectory.StaffUserName(StaffRoles.PracticeManager, DemoDirectory.PracticeA), "openid user/*.rs");
        using var module = RealServicesFixture.Http(await services.ModuleTokenAsync("system/Patient.rs"));
        var patient = new Uri(services.RecordFhir, $"Patient/{services.PatientAtA}");
        Assert.Equal(HttpStatusCode.OK, (await module.GetAsync(patient)).StatusCode);
        try
        {
            Assert.Equal(HttpStatusCode.NoContent, await ChangeModuleAsync(HttpMethod.Delete, manager));

            Assert.Equal(HttpStatusCode.Forbidden, await FirstAnswerOtherThanAsync(HttpStatusCode.OK, module, patient));
        }
        finally
        {
            // Enabled again for the collection's other tests: that change arrives the same way.
            Assert.Equal(HttpStatusCode.NoContent, await ChangeModuleAsync(HttpMethod.Put, manager));
            Assert.Equal(HttpStatusCode.OK, await FirstAnswerOtherThanAsync(HttpStatusCode.Forbidden, module, patient));
        }
    }

    /// <remarks>
    /// The Record registers a patient once and never moves a registration (Identity refuses a second registration that
    /// names another practice), so a registration change can only grant access today. The answer cached before it
    /// (refused: not registered here) must go when Identity announces it, just as a revocation's would.
    /// </remarks>
    [Fact]
    public async Task GivenStaffRefusedAPatientNotYetRegistered_WhenTheRegistrationArrives_ThenTheirNextRequestIsAllowed()
    {
        var gpB = await services.GpTokenAsync(DemoDirectory.PracticeB);
        // A patient Identity does not know of yet, and the Record holds no record of: once allowed, the read answers 404.
        var patientId = Guid.NewGuid();
        using var staff = RealServicesFixture.Http(gpB);
        var patient = new Uri(services.RecordFhir, $"Patient/{patientId}");
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync(patient)).StatusCode);

        await using (var scope = services.Identity.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<RegistrationFacts>().RecordRegistrationAsync(Guid.NewGuid(), patientId, DemoDirectory.PracticeB, 0);

        Assert.Equal(HttpStatusCode.NotFound, await FirstAnswerOtherThanAsync(HttpStatusCode.Forbidden, staff, patient));
    }

    /// <summary>Reads until the answer is no longer <paramref name="status"/> (the change has arrived), or gives up after a minute.</summary>
    private static async Task<HttpStatusCode> FirstAnswerOtherThanAsync(HttpStatusCode status, HttpClient http, Uri resource)
    {
        var deadline = DateTime.UtcNow + Delivery;
        while (true)
        {
            using var response = await http.GetAsync(resource);
            if (response.StatusCode != status || DateTime.UtcNow > deadline)
                return response.StatusCode;
            await Task.Delay(50);
        }
    }

    private async Task<HttpStatusCode> ChangeModuleAsync(HttpMethod method, string managerToken)
    {
        using var http = RealServicesFixture.Http(managerToken);
        using var request = new HttpRequestMessage(method,
            new Uri(services.Identity.Http, $"admin/practices/{DemoDirectory.PracticeA}/modules/{DemoDirectory.ModuleClientId}"));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A valid NHS number no other test uses: nine random digits and their Modulus 11 check digit.</summary>
    private static string NewNhsNumber()
    {
        while (true)
        {
            var digits = Enumerable.Range(0, 9).Select(_ => Random.Shared.Next(10)).ToArray();
            var check = 11 - digits.Select((d, i) => d * (10 - i)).Sum() % 11;
            if (check == 10 || digits.All(d => d == digits[0]))
                continue;
            return string.Concat(digits) + (check == 11 ? 0 : check);
        }
    }
}

/// <summary>Every stored access change maps to its integration event: a change the relay could not map would hold up every later event.</summary>
public sealed class AccessChangeMappingTests
{
    [Fact]
    public async Task GivenEachKindOfAccessChange_WhenTheRelayMapsIt_ThenItIsTheIntegrationEventThatWasStored()
    {
        var file = Path.Combine(Path.GetTempPath(), $"chronicle-access-changes-{Guid.NewGuid():N}.db");
        var patient = Guid.NewGuid();
        try
        {
            await using var store = Chronicle.EventStore.Sqlite.SqliteEventStore.ForFile(file);
            await store.InitializeAsync();
            var changes = new AccessChanges(store, TimeProvider.System);

            await changes.ModuleAccessChangedAsync(DemoDirectory.ModuleClientId, DemoDirectory.PracticeA, enabled: false, CancellationToken.None);
            await changes.RegistrationChangedAsync(patient, DemoDirectory.PracticeB, null, CancellationToken.None);
            await changes.RegistrationChangedAsync(patient, DemoDirectory.PracticeA, DemoDirectory.PracticeB, CancellationToken.None);
            var stored = await store.ReadStreamAsync(AccessChanges.Stream, new Chronicle.EventStore.StreamReadOptions());
            var mapped = stored.SelectMany(new IdentityIntegrationEventMapper().Map).ToList();

            Assert.Collection(mapped,
                e => Assert.True(e is V1.ModuleAccessChanged { ClientId: DemoDirectory.ModuleClientId, PracticeOds: DemoDirectory.PracticeA, Enabled: false }),
                e => Assert.True(e is V1.PatientRegistrationChanged { PracticeOds: DemoDirectory.PracticeB, PreviousPracticeOds: null } first
                    && first.PatientId == patient),
                e => Assert.True(e is V1.PatientRegistrationChanged { PracticeOds: DemoDirectory.PracticeA, PreviousPracticeOds: DemoDirectory.PracticeB } moved
                    && moved.PatientId == patient));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { file, file + "-wal", file + "-shm" }.Where(File.Exists))
                File.Delete(path);
        }
    }
}
