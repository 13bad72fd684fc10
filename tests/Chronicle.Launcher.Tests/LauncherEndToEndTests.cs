using System.Net;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Task = System.Threading.Tasks.Task;

namespace Chronicle.Launcher.Tests;

/// <summary>
/// The real launcher as a person runs it: the built services as its child processes, the gateway in front, Ctrl+C,
/// restarts on the same data, a service that dies, a launcher that is killed. One class, so they run one at a time.
/// </summary>
public sealed partial class LauncherEndToEndTests : IDisposable
{
    private static readonly string[] RecordTypes =
    [
        "Patient", "Encounter", "Condition", "Observation", "AllergyIntolerance", "MedicationStatement", "Immunization",
        "ServiceRequest", "Provenance",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("chronicle-launcher-").FullName;

    [Fact]
    public async Task GivenDemoPlatform_WhenReadThroughTheGatewayAndInterrupted_ThenRecordAnswersAndCtrlCStopsEveryProcess()
    {
        await using var launcher = await LauncherProcess.StartReadyAsync(Data("demo"), "--demo");
        var patientId = DemoPatientId(launcher);
        using var http = new HttpClient();
        using var anonymous = await http.GetAsync(new Uri(launcher.GatewayBase, $"Patient/{patientId}"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        // The demo module (enabled at A81001, where the printed demo patient is registered), as the README's curl does.
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await launcher.DemoModuleTokenAsync(http));
        using var fhir = launcher.CreateFhirClient(http);
        await WaitUntilReadableAsync(http, new Uri(launcher.GatewayBase, $"Patient/{patientId}"));

        var patient = await fhir.ReadAsync<Patient>($"Patient/{patientId}");
        var observations = await fhir.SearchAsync<Observation>([$"patient={patientId}", "_count=5"]);
        var everything = await fhir.GetAsync($"Patient/{patientId}/$everything") as Bundle;
        var metadata = await fhir.CapabilityStatementAsync();

        Assert.Equal(patientId, patient.Id);
        Assert.NotEmpty(observations.Entry);
        Assert.All(observations.Entry, e => Assert.StartsWith(launcher.GatewayBase + "Observation/", e.FullUrl, StringComparison.Ordinal));
        Assert.StartsWith(launcher.GatewayBase.ToString(), observations.SelfLink.ToString(), StringComparison.Ordinal);
        Assert.NotNull(everything);
        Assert.Contains(everything.Entry, e => e.Resource is Patient p && p.Id == patientId);
        Assert.Contains(everything.Entry, e => e.Resource is Observation);
        var listed = metadata.Rest.Single().Resource.Select(r => r.Type).ToList();
        Assert.All(RecordTypes, type => Assert.Contains(type, listed));
        Assert.Equal(launcher.GatewayBase + "metadata", metadata.Url);
        // The record the demo patient account is the patient of is there, and it is the one the examples are about.
        Assert.Equal(DemoAccountRecord(launcher), patientId);
        // The printed token command and request, pasted into a shell as they are, read that record through the gateway.
        var script = DemoPasteLines(launcher);
        var pasted = await PasteIntoShellAsync(script);
        Assert.True(pasted.Contains("\"resourceType\":\"Patient\"", StringComparison.Ordinal), $"The pasted lines\n{script}\nprinted\n{pasted}");
        Assert.Contains($"\"id\":\"{patientId}\"", pasted, StringComparison.Ordinal);

        var children = launcher.ChildPids;
        Assert.Contains(launcher.ServicePids["record"], children);
        await launcher.SignalAsync("INT");

        Assert.Equal(0, await launcher.WaitForExitAsync());
        Assert.Empty(await Processes.WaitUntilGoneAsync(children));
        Assert.Contains("Chronicle launcher: record stopped (exit code 0)", launcher.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivenStoppedPlatform_WhenStartedAgainOnTheSameData_ThenTheRecordIsStillThere()
    {
        var data = Data("restart");
        string patientId;
        string family;
        await using (var first = await LauncherProcess.StartReadyAsync(data, LauncherProcess.SecurityDisabled, "--demo"))
        {
            patientId = DemoPatientId(first);
            using var http = new HttpClient();
            family = (await first.CreateFhirClient(http).ReadAsync<Patient>($"Patient/{patientId}")).Name.Single().Family;
            await first.SignalAsync("TERM");
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        await using var second = await LauncherProcess.StartReadyAsync(data, LauncherProcess.SecurityDisabled);
        using var client = new HttpClient();
        var again = await second.CreateFhirClient(client).ReadAsync<Patient>($"Patient/{patientId}");

        Assert.Equal(family, again.Name.Single().Family);
        await second.SignalAsync("INT");
        Assert.Equal(0, await second.WaitForExitAsync());
    }

    [Fact]
    public async Task GivenRunningPlatform_WhenAServiceIsKilled_ThenTheLauncherNamesIt_StopsTheRest_AndExitsNonZero()
    {
        await using var launcher = await LauncherProcess.StartReadyAsync(Data("crash"));
        var children = launcher.ChildPids;
        var record = launcher.ServicePids["record"];

        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", record.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();

        Assert.Equal(1, await launcher.WaitForExitAsync());
        Assert.Empty(await Processes.WaitUntilGoneAsync(children));
        Assert.Matches(CrashReport(), launcher.Output);
        Assert.Contains("[record]", launcher.Output[launcher.Output.IndexOf("Its last lines", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.All(launcher.ServicePids.Keys.Where(name => name != "record"),
            other => Assert.Contains($"Chronicle launcher: {other} stopped (exit code", launcher.Output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenRunningPlatform_WhenTheLauncherItselfIsKilled_ThenItsWatchdogStopsTheServices()
    {
        await using var launcher = await LauncherProcess.StartReadyAsync(Data("orphans"));
        var services = launcher.ServicePids.Values.ToList();

        await launcher.SignalAsync("KILL");

        Assert.NotEqual(0, await launcher.WaitForExitAsync());
        Assert.Empty(await Processes.WaitUntilGoneAsync(services));
    }

    [Fact]
    public async Task GivenAServiceThatCannotStart_WhenTheLauncherStarts_ThenItShowsWhyAndExitsNonZero()
    {
        // Inherited by Record, which refuses it before it listens.
        var environment = new Dictionary<string, string> { ["Chronicle__ReadYourWritesWait"] = "-00:00:01" };

        await using var launcher = LauncherProcess.Start(Data("refused"), environment);

        Assert.Equal(1, await launcher.WaitForExitAsync());
        Assert.Contains("Chronicle launcher: record exited with exit code 2 before it was ready.", launcher.Output, StringComparison.Ordinal);
        Assert.Contains("[record]   Chronicle Record: Chronicle:ReadYourWritesWait must not be negative", launcher.Output, StringComparison.Ordinal);
        Assert.Empty(await Processes.WaitUntilGoneAsync(launcher.ChildPids));
    }

    [Fact]
    public async Task GivenGatewayPortTaken_WhenTheLauncherStarts_ThenItSaysSoAndStartsNothing()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var launcher = LauncherProcess.Start(Data("port"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, await launcher.WaitForExitAsync());
        Assert.Contains($"cannot listen on localhost:{port}", launcher.Output, StringComparison.Ordinal);
        Assert.Empty(launcher.ServicePids);
    }

    [Fact]
    public async Task GivenRunningPlatform_WhenAnUnknownTypeAndAnUnknownPatientAreRequested_ThenTheGatewayAnswersWithAnOperationOutcomeAndPassesTheServicesOwnAnswersThrough()
    {
        await using var launcher = await LauncherProcess.StartReadyAsync(Data("outcomes"), LauncherProcess.SecurityDisabled);
        using var http = new HttpClient();

        using var unknown = await http.GetAsync(new Uri(launcher.GatewayBase, "Spaceship/1"));
        using var passedThrough = await http.GetAsync(new Uri(launcher.GatewayBase, $"Patient/{Guid.NewGuid()}"));
        // Routed because the Record's CapabilityStatement says it serves it: the launcher has no list of the Record's types.
        using var learned = await http.GetAsync(new Uri(launcher.GatewayBase, $"Procedure?patient={Guid.NewGuid()}"));
        // Served alike by every service: the gateway sends it to one, and lists the type once.
        using var definition = await http.GetAsync(new Uri(launcher.GatewayBase, "StructureDefinition/audit-chain-seq"));
        var metadata = Chronicle.Fhir.FhirJson.Deserialize<Hl7.Fhir.Model.CapabilityStatement>(
            await http.GetStringAsync(new Uri(launcher.GatewayBase, "metadata")));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("OperationOutcome", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, passedThrough.StatusCode);
        Assert.Contains("is not known", await passedThrough.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, learned.StatusCode);
        Assert.Contains("\"searchset\"", await learned.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, definition.StatusCode);
        Assert.Contains("\"https://fhir.chronicle.health/StructureDefinition/audit-chain-seq\"", await definition.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single(metadata.Rest.Single().Resource, r => r.Type == "StructureDefinition");
        Assert.Contains(metadata.Rest.Single().Resource, r => r.Type == "AuditEvent");
        await launcher.SignalAsync("INT");
        Assert.Equal(0, await launcher.WaitForExitAsync());
    }

    [Fact]
    public async Task GivenRunningPlatform_WhenAReadIsAudited_ThenEachServiceSignsItsAuditEntriesWithItsOwnKeyAndTheAuditServiceChainsAndVerifiesThem()
    {
        var data = Data("audit-keys");
        await using var launcher = await LauncherProcess.StartReadyAsync(data, LauncherProcess.SecurityDisabled);
        using var clinician = new HttpClient();
        clinician.DefaultRequestHeaders.Add("x-user-id", "G7000001");
        using var auditor = new HttpClient();
        auditor.DefaultRequestHeaders.Add("x-user-id", "AUD0001");
        auditor.DefaultRequestHeaders.Add("x-user-role", "auditor");

        // A refused read the Record audits; its relay signs the entry with the Record's key and the Audit service chains it.
        using var refused = await clinician.GetAsync(new Uri(launcher.GatewayBase, $"Patient/{Guid.NewGuid()}"));
        var deadline = DateTime.UtcNow + LauncherProcess.Patience;
        string found;
        do
        {
            await Task.Delay(250);
            found = await auditor.GetStringAsync(new Uri(launcher.GatewayBase, "AuditEvent?agent=G7000001"));
        }
        while (!found.Contains("\"resourceType\":\"AuditEvent\"", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        var auditHttp = AuditHttpLine().Match(launcher.Output);
        Assert.True(auditHttp.Success, launcher.Output);
        var verified = System.Text.Json.JsonDocument.Parse(await auditor.GetStringAsync(new Uri(new Uri(auditHttp.Groups[1].Value), "audit/verify"))).RootElement;
        var keys = Path.Combine(data, "audit-signing-keys");
        var files = Directory.GetFiles(keys).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("\"resourceType\":\"AuditEvent\"", found, StringComparison.Ordinal);
        Assert.True(verified.GetProperty("intact").GetBoolean(), verified.GetProperty("summary").GetString());
        Assert.True(verified.GetProperty("signaturesChecked").GetInt64() >= 1, verified.GetProperty("summary").GetString());
        Assert.Equal(["audit.pem", "audit.pub.pem", "identity.pem", "identity.pub.pem", "record.pem", "record.pub.pem"], files);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
            foreach (var file in Directory.GetFiles(keys))
                Assert.Equal((file, UnixFileMode.UserRead | UnixFileMode.UserWrite), (file, File.GetUnixFileMode(file)));
        }
        Assert.DoesNotContain("development key", launcher.Output, StringComparison.Ordinal);
        await launcher.SignalAsync("INT");
        Assert.Equal(0, await launcher.WaitForExitAsync());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The OS temp cleaner gets what a failed test left open.
        }
    }

    private string Data(string name) => Path.Combine(_root, name);

    /// <summary>Identity learns registrations from the Record's published facts, a moment after the Record writes them.</summary>
    internal static async Task WaitUntilReadableAsync(HttpClient http, Uri resource)
    {
        var deadline = DateTime.UtcNow + LauncherProcess.Patience;
        while (true)
        {
            using var response = await http.GetAsync(resource);
            if (response.StatusCode == HttpStatusCode.OK)
                return;
            Assert.True(DateTime.UtcNow < deadline && response.StatusCode == HttpStatusCode.Forbidden,
                $"{resource} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(250);
        }
    }

    /// <summary>The patient in the demo lines Record prints, which the launcher shows with the gateway's base.</summary>
    internal static string DemoPatientId(LauncherProcess launcher)
    {
        var match = DemoPatientLine().Match(launcher.Output);
        Assert.True(match.Success, $"No demo patient line through the gateway in:\n{launcher.Output}");
        Assert.Equal(launcher.GatewayBase.ToString().TrimEnd('/'), match.Groups[1].Value);
        return match.Groups[2].Value;
    }

    /// <summary>The record id Identity's demo lines give for the demo patient account.</summary>
    private static string DemoAccountRecord(LauncherProcess launcher)
    {
        var match = DemoAccountLine().Match(launcher.Output);
        Assert.True(match.Success, $"No demo patient account line in:\n{launcher.Output}");
        return match.Groups[1].Value;
    }

    /// <summary>The indented lines the Record prints under "every request needs a token", as the console shows them.</summary>
    private static string DemoPasteLines(LauncherProcess launcher)
    {
        var lines = launcher.Output.Split('\n');
        var start = Array.FindIndex(lines, l => l.Contains("demo: every request needs a token", StringComparison.Ordinal));
        Assert.True(start >= 0, $"No token command in the demo lines:\n{launcher.Output}");
        var pasted = lines.Skip(start + 1).TakeWhile(l => l.Contains("TOKEN", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, pasted.Count);
        // The console puts the service's name before each line; what follows it is what a person copies.
        static string Copied(string line) => line[line.IndexOf(line.Contains("TOKEN=", StringComparison.Ordinal) ? "TOKEN=" : "curl ", StringComparison.Ordinal)..].Trim();
        return string.Join('\n', pasted.Select(Copied));
    }

    private static async Task<string> PasteIntoShellAsync(string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var shell = System.Diagnostics.Process.Start(start)!;
        var output = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();
        Assert.True(shell.ExitCode == 0, $"The pasted lines failed ({shell.ExitCode}):\n{script}\n{output}");
        return output;
    }

    [GeneratedRegex(@"patient: patient\.demo \(patient record ([0-9a-f-]{36}),")]
    private static partial Regex DemoAccountLine();

    [GeneratedRegex(@"^\S*\s+audit\s+HTTP\s+(http://\S+)", RegexOptions.Multiline)]
    private static partial Regex AuditHttpLine();

    [GeneratedRegex(@"Chronicle Record demo: try (\S+)/Patient/([0-9a-f-]{36})\s*$", RegexOptions.Multiline)]
    private static partial Regex DemoPatientLine();

    [GeneratedRegex(@"Chronicle launcher: record stopped unexpectedly with exit code 137 \(killed, SIGKILL\)\. Its last lines")]
    private static partial Regex CrashReport();
}
