using System.Diagnostics;

namespace Chronicle.Launcher.Processes;

internal static class ProcessTrees
{
    /// <summary>Kills the process and everything it started, at once; nothing if it has ended.</summary>
    public static void Kill(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It ended meanwhile.
        }
    }
}
