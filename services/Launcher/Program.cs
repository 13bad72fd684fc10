using Chronicle.Launcher.Platform;
using Chronicle.Launcher.Processes;

// One command runs the platform: every built service as its own process, one FHIR gateway in front; --help for options.
if (args is [Watchdog.Verb])
    return Watchdog.Run(Console.In);

LauncherOptions options;
try
{
    options = LauncherOptions.Parse(args);
}
catch (FormatException e)
{
    await Console.Error.WriteLineAsync($"Chronicle launcher: {e.Message}\n{LauncherOptions.Usage}");
    return PlatformLauncher.ExitCannotStart;
}

if (options.Help)
{
    Console.WriteLine(LauncherOptions.Usage);
    return 0;
}

return await new PlatformLauncher(options, ServiceLocations.OfThisBuild(), Console.Out, Console.Error).RunAsync();
