namespace Chronicle.Launcher.Processes;

/// <summary>The <c>dotnet</c> executable that runs this launcher, so the services run on the same runtime.</summary>
internal static class DotnetHost
{
    public static string Path { get; } =
        Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>How to start this launcher's own assembly again (the watchdog): through dotnet, or its apphost.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) Self()
    {
        var assembly = typeof(DotnetHost).Assembly.Location;
        return Environment.ProcessPath is { } self && System.IO.Path.GetFileNameWithoutExtension(self) != "dotnet"
            ? (self, [])
            : (Path, [assembly]);
    }
}
