using Chronicle.ServiceDefaults;

namespace Chronicle.Record.Host.Tests;

/// <summary>Narrowing a data directory while the service's SQLite files come and go.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrivateDataDirectoryTests
{
    [Fact]
    public void GivenAFileRemovedAfterItWasListed_WhenNarrowed_ThenItIsSkippedAndAPresentOneIsMadePrivate()
    {
        var directory = Directory.CreateTempSubdirectory("chronicle-private-").FullName;
        try
        {
            var gone = new FileInfo(Path.Combine(directory, "queue.db-shm"));
            File.WriteAllText(gone.FullName, "");
            var kept = Path.Combine(directory, "queue.db");
            File.WriteAllText(kept, "");
            File.SetUnixFileMode(kept, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            File.Delete(gone.FullName); // as SQLite removes its shared-memory file between the listing and the narrowing

            PrivateDataDirectory.Narrow(gone);
            PrivateDataDirectory.Narrow(new FileInfo(kept));

            Assert.False(File.Exists(gone.FullName));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(kept));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
