using System.Net;
using Chronicle.Audit.Tests.EndToEnd;
using Chronicle.Testing;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Audit.Tests.Service;

/// <summary>
/// The operator's <c>rebuild --projection audit-queries</c> (the shared host's rebuild verb): the Audit executable, run
/// beside a serving Audit service on the same storage, replays the chain into fresh query tables and swaps them in.
/// </summary>
public sealed class AuditRebuildTests(SqliteStorages storage) : IClassFixture<SqliteStorages>
{
    [Fact]
    public async Task GivenAServingAuditService_WhenTheOperatorRebuildsItsQueryTables_ThenReadsContinueAndAnswerTheSameEntries()
    {
        await using var server = await AuditServer.StartAsync(storage);
        var patient = Guid.NewGuid().ToString();
        var entries = Enumerable.Range(0, 5).Select(_ => Entries.Read(patient)).ToList();
        await server.IngestAsync(entries);
        using var http = server.Http();
        var read = new Uri(server.HttpBase, $"fhir/AuditEvent/{entries[0].EntryId}");
        var before = await http.GetStringAsync(read);
        using var stop = new CancellationTokenSource();
        var reads = Task.Run(async () =>
        {
            var answers = new List<(HttpStatusCode Status, string Body)>();
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync(read);
                answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
            }

            return answers;
        });

        // Another process, on the same storage, while the service keeps serving from the live tables.
        var rebuild = await RebuildAsync(["--Chronicle:Storage=sqlite", $"--Chronicle:DataDirectory={server.Settings.DataDirectory}"], "audit-queries");
        await stop.CancelAsync();
        var answers = await reads;

        Assert.True(rebuild.ExitCode == 0, $"rebuild exited {rebuild.ExitCode}: {rebuild.Errors}");
        Assert.Contains("Projection 'audit-queries' rebuilt, swapped in and caught up", rebuild.Output, StringComparison.Ordinal);
        Assert.NotEmpty(answers);
        Assert.All(answers, answer => Assert.Equal((HttpStatusCode.OK, before), answer));
        Assert.Equal(before, await http.GetStringAsync(read));
        // The ingested entries, and the service's own entries about reading them, are all in the rebuilt tables.
        var found = (await server.Fhir().SearchAsync<AuditEvent>([$"patient={patient}", "_count=1000"])).Entry.Select(e => e.Resource.Id).ToList();
        Assert.All(entries, entry => Assert.Contains(entry.EntryId.ToString(), found));
    }

    [Fact]
    public async Task GivenAnUnknownProjection_WhenRebuilt_ThenTheVerbExitsTwoNamingTheAuditServicesProjections()
    {
        var run = await RebuildAsync(await storage.ArgumentsAsync("audit"), "fhir");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("No projection is named 'fhir'. This service has: audit-queries.", run.Errors, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RebuildAsync(IReadOnlyList<string> storage, string projection) =>
        await ServiceProcess.RunToEndAsync(ChroniclePlatform.AuditDll,
        [
            "rebuild", "--projection", projection, .. storage,
            "--Chronicle:Transport=direct", "--Chronicle:AppId=audit", $"--{TestAppApiToken.Setting}={TestAppApiToken.Value}",
            "--Chronicle:Security:Disabled=true", .. TestEmitters.Settings(),
        ], Path.GetTempPath(), new Dictionary<string, string>());
}
