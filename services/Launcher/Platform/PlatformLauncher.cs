using System.Diagnostics;
using System.Globalization;
using Chronicle.Launcher.Catalog;
using Chronicle.Launcher.Gateway;
using Chronicle.Launcher.Processes;

namespace Chronicle.Launcher.Platform;

/// <summary>
/// Runs the platform: every runnable service in <see cref="ServiceCatalog"/> as a child process on ports chosen up front
/// (so each is told every other's gRPC address), the FHIR gateway in front, until Ctrl+C/SIGTERM or until a service
/// fails, which stops everything with a report and a non-zero exit.
/// </summary>
internal sealed class PlatformLauncher(LauncherOptions options, ServiceLocations locations, TextWriter output, TextWriter error)
{
    public const int ExitStopped = 0;
    public const int ExitServiceFailed = 1;
    public const int ExitCannotStart = 2;

    /// <summary>The last line of the summary, once every service is ready.</summary>
    public const string ReadyLine = "Chronicle platform is ready. Ctrl+C stops it.";

    private const int ReportedLines = 20;
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    // A service that never becomes ready is reported rather than waited for without end.
    private static readonly TimeSpan ReadinessPatience = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ReadinessPoll = TimeSpan.FromMilliseconds(250);
    private static readonly string Version = typeof(PlatformLauncher).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    private readonly PlatformConsole _console = new(output, error, options.Verbose, ServiceCatalog.All.Max(s => s.AppId.Length));

    /// <summary>
    /// Dapr's app API token for this run: every service's app callback answers only calls carrying it, and every direct
    /// broker sends it as a sidecar would. New each run, never written to disk, and handed over in the environment (which
    /// only this user can read), not on a command line that every local user can see.
    /// </summary>
    private readonly string _appApiToken = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public async Task<int> RunAsync()
    {
        using var signal = new StopSignal();
        var logs = Path.Combine(options.DataDirectory, "logs");
        Directory.CreateDirectory(logs);
        _console.Say($"data in {options.DataDirectory}, service logs in {logs}");
        var (runnable, skipped) = Plan();
        if (runnable.Count == 0)
        {
            _console.Complain($"no service is built; build the platform first (dotnet build -c {locations.Configuration}).");
            return ExitCannotStart;
        }

        var ports = AssignPorts(runnable, out var gatewayPort);
        var backends = ServiceCatalog.All.Where(s => s.Fhir is not null).ToDictionary(s => s, s => new FhirBackend(s.AppId, []));
        foreach (var (service, why) in skipped)
            backends.GetValueOrDefault(service)?.NotRunning(why);
        var routes = new FhirRouteTable(backends.Values);

        FhirGateway gateway;
        try
        {
            gateway = await FhirGateway.StartAsync(gatewayPort, routes, Version, signal.Stopping).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _console.Complain($"the FHIR gateway cannot listen on localhost:{gatewayPort} ({e.Message}); choose another port with --port.");
            return ExitCannotStart;
        }

        await using (gateway.ConfigureAwait(false))
        {
            _console.Plain($"Chronicle gateway FHIR listening on {gateway.FhirBase}");
            using var watchdog = Watchdog.Start();
            _console.Say($"watchdog started (pid {watchdog.ProcessId}); it stops the services if the launcher is killed");
            var services = new List<ServiceProcess>();
            EnsureAuditSigningKeys(runnable);
            try
            {
                foreach (var definition in runnable)
                {
                    var service = Start(definition, runnable, ports, logs);
                    services.Add(service);
                    watchdog.Watch(service.ProcessId, service.StartTime);
                    if (backends.GetValueOrDefault(definition) is { } backend)
                    {
                        var fhirBase = FhirBase(definition, ports);
                        backend.Starting(fhirBase);
                        _console.RewriteDemoUrls(definition.AppId, fhirBase.ToString(), gateway.FhirBase.ToString());
                    }

                    _console.Say($"{definition.AppId} started (pid {service.ProcessId}), log {service.LogPath}");
                }

                return await SuperviseAsync(services, gateway, routes, backends, skipped, ports, signal).ConfigureAwait(false);
            }
            finally
            {
                // Whatever went wrong, no service outlives the launcher.
                foreach (var service in services)
                    await service.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits for readiness, shows the summary, then runs until a stop is asked for or a service fails; stops them all.</summary>
    private async Task<int> SuperviseAsync(List<ServiceProcess> services, FhirGateway gateway, FhirRouteTable routes,
        Dictionary<ServiceDefinition, FhirBackend> backends, Dictionary<ServiceDefinition, string> skipped,
        Dictionary<(string, string), int> ports, StopSignal signal)
    {
        var failure = await WaitUntilReadyAsync(services, backends, ports, signal.Stopping).ConfigureAwait(false);
        if (failure is null && !signal.Stopping.IsCancellationRequested)
        {
            foreach (var warning in await gateway.LearnRoutesAsync(routes, signal.Stopping).ConfigureAwait(false))
                _console.Complain(warning);
            PrintSummary(gateway, services, skipped, ports, routes, backends);
            failure = await WatchAsync(services, signal.Stopping).ConfigureAwait(false);
        }

        // A service that ends while a stop is under way (Ctrl+C reaches the whole process group) is no failure.
        if (failure is not null && !signal.Stopping.IsCancellationRequested)
        {
            Report(failure, services);
            foreach (var backend in backends.Values)
                backend.Stopped($"{failure.Service.Name} failed and the platform stopped");
            await StopAllAsync(services, signal.Forced).ConfigureAwait(false);
            _console.Complain($"stopped because {failure.Service.Name} failed.");
            return ExitServiceFailed;
        }

        _console.Say($"{signal.Received ?? "asked to stop"}: stopping the platform");
        foreach (var backend in backends.Values)
            backend.Stopped("the platform is stopping");
        await StopAllAsync(services, signal.Forced).ConfigureAwait(false);
        _console.Say("stopped.");
        return ExitStopped;
    }

    /// <summary>The catalog's services this build can run, and why each other one cannot.</summary>
    private (List<ServiceDefinition> Runnable, Dictionary<ServiceDefinition, string> Skipped) Plan()
    {
        var runnable = new List<ServiceDefinition>();
        var skipped = new Dictionary<ServiceDefinition, string>();
        foreach (var service in ServiceCatalog.All)
        {
            if (locations.WhyNotRunnable(service) is { } why)
            {
                skipped[service] = why;
                _console.Say($"{service.AppId} is {why}; it is skipped");
            }
            else
            {
                runnable.Add(service);
            }
        }

        return (runnable, skipped);
    }

    private Dictionary<(string Service, string Port), int> AssignPorts(List<ServiceDefinition> services, out int gatewayPort)
    {
        var wanted = services.SelectMany(s => s.Ports.Select(p => (s.AppId, p.Name))).ToList();
        var free = FreePorts.Take(wanted.Count + 1);
        gatewayPort = options.GatewayPort == 0 ? free[^1] : options.GatewayPort;
        return wanted.Select((key, i) => (key, free[i])).ToDictionary(p => p.key, p => p.Item2);
    }

    private static Uri Address(ServiceDefinition service, string port, Dictionary<(string, string), int> ports, string path = "") =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{ports[(service.AppId, port)]}{path}"));

    private static Uri FhirBase(ServiceDefinition service, Dictionary<(string, string), int> ports) =>
        Address(service, service.Fhir!.Port, ports, service.Fhir.Path);

    private ServiceProcess Start(ServiceDefinition definition, List<ServiceDefinition> all, Dictionary<(string, string), int> ports, string logs)
    {
        var data = Path.Combine(options.DataDirectory, definition.AppId);
        Directory.CreateDirectory(data);
        var start = new ProcessStartInfo(DotnetHost.Path) { WorkingDirectory = data };
        start.ArgumentList.Add(locations.Assembly(definition));
        var arguments = definition.Arguments.Concat(options.Demo ? definition.DemoArguments : [])
            .Concat(definition.Ports.Select(p => $"--{p.Setting}={ports[(definition.AppId, p.Name)]}"))
            .Append($"--{definition.DataDirectorySetting}={data}")
            // For a service that stops when its parent is gone; none watches it yet, so the watchdog does that job.
            .Append(string.Create(CultureInfo.InvariantCulture, $"--Chronicle:ParentPid={Environment.ProcessId}"))
            .Concat(MessagingSettings(definition, all, ports, data))
            .Concat(SecuritySettings(definition, all, ports))
            .Concat(AuditSigningSettings(definition, all))
            .Concat(HostSettings());
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // One line per log entry, so the console can pick out warnings and a failure report reads well.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled";
        // The launcher polls readiness; each "not yet" answer would otherwise be logged as an error.
        start.Environment["Logging__LogLevel__Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical";
        start.Environment["Chronicle__Dapr__AppApiToken"] = _appApiToken;
        return ServiceProcess.Start(definition, start, Path.Combine(logs, $"{definition.AppId}.log"),
            service => service.LineReceived += _console.OnServiceLine);
    }

    /// <summary>The direct transport (libs/Messaging): this app's id, its broker's queue, and every other app's gRPC address.</summary>
    private static IEnumerable<string> MessagingSettings(ServiceDefinition service, List<ServiceDefinition> all, Dictionary<(string, string), int> ports, string data)
    {
        yield return $"--Chronicle:AppId={service.AppId}";
        yield return "--Chronicle:Transport=direct";
        yield return $"--Chronicle:Direct:QueueDatabase={Path.Combine(data, "direct-broker.db")}";
        foreach (var other in all.Where(o => o != service && o.GrpcPort is not null))
            yield return $"--Chronicle:Apps:{other.AppId}:Grpc={Address(other, other.GrpcPort!.Name, ports)}";
    }

    /// <summary>
    /// For a service that enforces tokens: the Identity service's issuer (its HTTP address, plain HTTP on this machine);
    /// its Access service is reached by app id like every other call (<see cref="MessagingSettings"/>). Without a runnable
    /// Identity, security is switched off explicitly and the service says so.
    /// </summary>
    private static IEnumerable<string> SecuritySettings(ServiceDefinition service, List<ServiceDefinition> all, Dictionary<(string, string), int> ports)
    {
        if (!service.EnforcesTokens)
            yield break;
        if (all.FirstOrDefault(s => s.IsIdentity) is not { } identity)
        {
            yield return "--Chronicle:Security:Disabled=true";
            yield break;
        }

        yield return $"--Chronicle:Security:Authority={Address(identity, identity.Ports[0].Name, ports, "/")}";
        yield return "--Chronicle:Security:RequireHttpsMetadata=false";
    }

    private string AuditSigningKeyFolder => Path.Combine(options.DataDirectory, "audit-signing-keys");

    /// <summary>Makes the key pair of every service that has none yet, once before the services start.</summary>
    private void EnsureAuditSigningKeys(List<ServiceDefinition> services)
    {
        var folder = AuditSigningKeyFolder;
        var ownerOnly = System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite;
        if (!OperatingSystem.IsWindows())
            Directory.CreateDirectory(folder, ownerOnly | System.IO.UnixFileMode.UserExecute);
        else
            Directory.CreateDirectory(folder);
        foreach (var app in services.Select(s => s.AppId))
        {
            var (privatePath, publicPath) = (Path.Combine(folder, $"{app}.pem"), Path.Combine(folder, $"{app}.pub.pem"));
            if (File.Exists(privatePath) && File.Exists(publicPath))
                continue;
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            foreach (var (path, pem) in new[] { (privatePath, key.ExportPkcs8PrivateKeyPem()), (publicPath, key.ExportSubjectPublicKeyInfoPem()) })
            {
                var write = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                    write.UnixCreateMode = ownerOnly;
                using var file = new StreamWriter(path, System.Text.Encoding.ASCII, write);
                file.Write(pem + "\n");
            }
        }
    }

    /// <summary>
    /// Each service signs its audit entries with its own key, made once in <c>audit-signing-keys</c> under the data
    /// directory (folder 0700, files 0600) and kept, so entries chained in earlier runs still verify. The Audit service
    /// is told every other service's public key, so it chains only entries their owners signed.
    /// </summary>
    private IEnumerable<string> AuditSigningSettings(ServiceDefinition service, List<ServiceDefinition> all)
    {
        var folder = AuditSigningKeyFolder;
        yield return $"--Chronicle:Auditing:SigningKey={Path.Combine(folder, $"{service.AppId}.pem")}";
        if (service.AppId != "audit")
            yield break;
        foreach (var emitter in all.Where(s => s != service))
            yield return $"--Chronicle:Audit:Emitters:{emitter.AppId}:PublicKeys:0={Path.Combine(folder, $"{emitter.AppId}.pub.pem")}";
    }

    /// <summary>
    /// Every service here listens on loopback and is reached as localhost or a loopback address (the gateway forwards to
    /// 127.0.0.1): ASP.NET Core's host filtering refuses any other Host header, so a forged one cannot reach a link.
    /// </summary>
    private static IEnumerable<string> HostSettings()
    {
        yield return "--AllowedHosts=localhost;127.0.0.1;[::1]";
    }

    private async Task<ServiceFailure?> WaitUntilReadyAsync(List<ServiceProcess> services, Dictionary<ServiceDefinition, FhirBackend> backends,
        Dictionary<(string, string), int> ports, CancellationToken stopping)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var waits = services.Select(s => WaitUntilReadyAsync(s, backends.GetValueOrDefault(s.Definition), http, ports, cancel.Token)).ToList();
        while (waits.Count > 0)
        {
            var done = await Task.WhenAny(waits).ConfigureAwait(false);
            waits.Remove(done);
            if (await done.ConfigureAwait(false) is { } failure)
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                return failure;
            }
        }

        return null;
    }

    private async Task<ServiceFailure?> WaitUntilReadyAsync(ServiceProcess service, FhirBackend? backend, HttpClient http,
        Dictionary<(string, string), int> ports, CancellationToken cancellationToken)
    {
        var definition = service.Definition;
        var readiness = Address(definition, definition.Readiness.Port, ports, definition.Readiness.Path);
        var waited = Stopwatch.StartNew();
        var lastAnswer = "nothing yet";
        while (!cancellationToken.IsCancellationRequested)
        {
            if (service.Exited.IsCompleted)
                return new ServiceFailure(service, $"exited with {ExitCodes.Describe(await service.Exited.ConfigureAwait(false))} before it was ready");
            if (service.AllListening.IsCompleted)
            {
                try
                {
                    using var response = await http.GetAsync(readiness, cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        backend?.Ready();
                        _console.Say($"{service.Name} is ready");
                        return null;
                    }

                    lastAnswer = string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {response.ReasonPhrase}");
                }
                catch (HttpRequestException e)
                {
                    lastAnswer = e.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastAnswer = "no answer within 10 s";
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }

            if (waited.Elapsed > ReadinessPatience)
            {
                var missing = definition.Ports.Where(p => !service.ListeningUrls.ContainsKey(p.Name)).Select(p => $"'{p.ListeningLine}...'").ToList();
                return new ServiceFailure(service, missing.Count > 0
                    ? $"did not say it was listening within {ReadinessPatience.TotalMinutes:0} minutes (no line {string.Join(" or ", missing)})"
                    : $"was not ready within {ReadinessPatience.TotalMinutes:0} minutes ({readiness} answered {lastAnswer})");
            }

            await Task.WhenAny(service.Exited, Task.Delay(ReadinessPoll, cancellationToken)).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Until a stop is asked for (null) or a service ends by itself.</summary>
    private static async Task<ServiceFailure?> WatchAsync(List<ServiceProcess> services, CancellationToken stopping)
    {
        var stopped = Task.Delay(Timeout.Infinite, stopping);
        var first = await Task.WhenAny(services.Select(s => (Task)s.Exited).Append(stopped)).ConfigureAwait(false);
        if (first == stopped)
            return null;
        var service = services.First(s => s.Exited.IsCompleted);
        return new ServiceFailure(service, $"stopped unexpectedly with {ExitCodes.Describe(await service.Exited.ConfigureAwait(false))}");
    }

    private async Task StopAllAsync(List<ServiceProcess> services, CancellationToken forced)
    {
        var stopping = services.Where(s => !s.HasExited).Select(async s =>
        {
            var code = await s.StopAsync(StopGrace).ConfigureAwait(false);
            _console.Say($"{s.Name} stopped ({ExitCodes.Describe(code)})");
        }).ToList();
        var all = Task.WhenAll(stopping);
        if (await Task.WhenAny(all, Task.Delay(Timeout.Infinite, forced)).ConfigureAwait(false) != all)
        {
            _console.Say("stopping at once");
            foreach (var service in services)
                service.Kill();
        }

        await all.ConfigureAwait(false);
    }

    private void Report(ServiceFailure failure, List<ServiceProcess> services)
    {
        var service = failure.Service;
        _console.Complain($"{service.Name} {failure.What}. Its last lines (all of them are in {service.LogPath}):");
        foreach (var line in service.LastLines.TakeLast(ReportedLines))
            error.WriteLine($"  {_console.Prefix(service.Name)}{line}");
        if (services.Any(s => s != service && !s.HasExited))
            _console.Complain("stopping the other services.");
    }

    private void PrintSummary(FhirGateway gateway, List<ServiceProcess> services, Dictionary<ServiceDefinition, string> skipped,
        Dictionary<(string, string), int> ports, FhirRouteTable routes, Dictionary<ServiceDefinition, FhirBackend> backends)
    {
        var width = ServiceCatalog.All.Max(s => s.AppId.Length) + 2;
        var lines = new List<string>
        {
            "Chronicle platform:",
            $"  {"gateway".PadRight(width)}FHIR   {gateway.FhirBase}",
        };
        foreach (var service in services)
        {
            var definition = service.Definition;
            var name = definition.AppId.PadRight(width);
            var urls = service.ListeningUrls;
            foreach (var port in definition.Ports)
            {
                var url = urls.TryGetValue(port.Name, out var printed) ? printed : Address(definition, port.Name, ports).ToString();
                lines.Add($"  {name}{port.Name,-6} {url}");
                name = new string(' ', width);
            }

            lines.Add($"  {name}{"ready",-6} {Address(definition, definition.Readiness.Port, ports, definition.Readiness.Path)}");
            if (backends.GetValueOrDefault(definition) is { } backend)
                lines.Add($"  {name}{"owns",-6} {string.Join(", ", routes.TypesOf(backend))}");
            lines.Add($"  {name}{"log",-6} {service.LogPath}");
        }

        foreach (var (definition, why) in skipped)
            lines.Add($"  {definition.AppId.PadRight(width)}{why}");
        foreach (var line in lines)
            _console.Plain(line);
        _console.ShowDemo();
        _console.Plain(ReadyLine);
    }

    private sealed record ServiceFailure(ServiceProcess Service, string What);
}
