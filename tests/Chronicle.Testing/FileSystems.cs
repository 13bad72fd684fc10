namespace Chronicle.Testing;

/// <summary>Names the file system a folder lives on (tmpfs would make fsync free and the numbers meaningless).</summary>
public static class FileSystems
{
    public static string Describe(string folder)
    {
        if (!File.Exists("/proc/mounts"))
            return "file system unknown";
        var full = Path.GetFullPath(folder);
        var mount = File.ReadLines("/proc/mounts")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length >= 3 && IsUnder(full, fields[1]))
            .MaxBy(fields => fields[1].Length);
        return mount is null ? "file system unknown" : $"{mount[2]} on {mount[0]}";
    }

    private static bool IsUnder(string path, string mountPoint) =>
        mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);
}
