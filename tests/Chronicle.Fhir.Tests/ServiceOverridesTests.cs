using Chronicle.Auditing;
using Chronicle.Security;
using Chronicle.Testing;
using Microsoft.Extensions.DependencyInjection;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Fhir.Tests;

/// <summary>An in-process Record with a replacement: the replacement is served, and the rest of what compose made stays.</summary>
public sealed class ServiceOverridesTests
{
    [Fact]
    public async Task GivenTheRecordsRelationshipCheckReplaced_WhenComposed_ThenTheReplacementIsServedAndAuditingStays()
    {
        await using var storage = await TestStorage.ReserveAsync(StorageBackend.Sqlite, new() { Name = "record-overrides" });
        var everyoneReachable = new EveryPatientReachable();

        await using (var record = await ComposedRecord.StartAsync(storage,
            services => services.AddSingleton<IPatientAccessChecker>(everyoneReachable)))
        {
            Assert.Same(everyoneReachable, record.Services.GetRequiredService<IPatientAccessChecker>());
            Assert.NotNull(record.Services.GetService<IAuditTrail>());
        }
    }
}
