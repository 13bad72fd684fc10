using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Chronicle.ServiceDefaults;

/// <summary>
/// A service's data directory holds patient data, tokens' keys and the broker's queue, so only the service's own user may
/// read it: on Unix the directory is 0700 and every file in it 0600, whatever the umask. SQLite databases are created
/// here as empty 0600 files before SQLite opens them, because SQLite gives a database's <c>-wal</c>, <c>-shm</c> and
/// <c>-journal</c> files the database file's own mode; what other code creates in the directory is narrowed once the
/// service has started (<see cref="AddPrivateDataDirectory"/>), and the 0700 directory keeps it unreachable until then.
/// On Windows the directory inherits the user profile's ACLs and nothing is changed.
/// </summary>
public static class PrivateDataDirectory
{
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="directory"/> (and missing parents) as 0700, or narrows it to 0700 if it exists.</summary>
    /// <returns>The full path.</returns>
    public static string Ensure(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var path = Path.GetFullPath(directory);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return path;
        }

        if (Directory.Exists(path))
            File.SetUnixFileMode(path, PrivateDirectoryMode);
        else
            Directory.CreateDirectory(path, PrivateDirectoryMode);
        return path;
    }

    /// <summary>
    /// Makes <paramref name="path"/> a 0600 file before anything opens it: created empty (an empty file is an empty SQLite
    /// database) or, if it exists, narrowed along with its SQLite companions. Its directory is made private too.
    /// </summary>
    /// <returns>The full path.</returns>
    public static string PrepareFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        Ensure(Path.GetDirectoryName(full)!);
        if (OperatingSystem.IsWindows())
            return full;
        if (!File.Exists(full))
        {
            try
            {
                using var created = new FileStream(full, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = PrivateFileMode,
                });
            }
            catch (IOException) when (File.Exists(full))
            {
                // Another opener created it at the same moment; it is narrowed below like any existing file.
            }
        }

        foreach (var file in new[] { full, full + "-wal", full + "-shm", full + "-journal" })
            Narrow(new FileInfo(file));
        return full;
    }

    /// <summary>Narrows the directory to 0700 and every file under it to 0600 (files from before this rule, or made by other code).</summary>
    public static void Restrict(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (OperatingSystem.IsWindows() || !Directory.Exists(directory))
            return;
        File.SetUnixFileMode(directory, PrivateDirectoryMode);
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            Narrow(entry);
    }

    /// <summary>
    /// Narrows one entry to 0700 (a directory) or 0600 (a file). One that is gone (SQLite's -shm and -journal files come and
    /// go while the service runs) is skipped: nothing is left to narrow, and its next creation takes the directory's rule.
    /// A link is skipped too: its mode is its target's, and the rule never reaches outside the directory through one.
    /// </summary>
    public static void Narrow(FileSystemInfo entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (OperatingSystem.IsWindows())
            return;
        try
        {
            if (entry.LinkTarget is not null)
                return;
            entry.UnixFileMode = entry is DirectoryInfo ? PrivateDirectoryMode : PrivateFileMode;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Removed since it was listed.
        }
    }

    /// <summary>
    /// Makes <paramref name="directory"/> private now and narrows whatever the service created in it once every hosted
    /// service has started (the direct broker's queue, key files).
    /// </summary>
    public static IServiceCollection AddPrivateDataDirectory(this IServiceCollection services, string directory)
    {
        ArgumentNullException.ThrowIfNull(services);
        var path = Ensure(directory);
        services.OnHostStarted(_ => Restrict(path));
        return services;
    }
}
