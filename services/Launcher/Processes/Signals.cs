using System.Runtime.InteropServices;

namespace Chronicle.Launcher.Processes;

/// <summary>Asks a process to stop the way a terminal or an orchestrator would (SIGTERM), where the platform has signals.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    /// <summary>False where signals do not exist (Windows) or the process is gone; the caller then kills it.</summary>
    public static bool TryTerminate(int processId) =>
        !OperatingSystem.IsWindows() && Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
