using System.Runtime.Versioning;
using Chronicle.ServiceDefaults;

namespace Chronicle.Identity.Tests;

/// <summary>
/// Every service's data directory is 0700 and every file in it (SQLite databases with their -wal and -shm, the direct
/// broker's queue, key files) 0600, on Linux, whatever the umask and whatever was there before.
/// </summary>
public sealed class DataFilePermissionTests
{
    [Fact]
    public async Task GivenIdentityStarted_WhenItsDataDirectoryIsListed_ThenOnlyItsUserCanReadAnything()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var directory = System.IO.Directory.CreateTempSubdirectory("chronicle-permissions-").FullName;
        try
        {
            await using (await IdentityInstance.StartAsync(dataDirectory: directory))
                PrivateDataFiles.AssertPrivate(directory, "identity.db", "events.db", "read-models.db", "direct-broker.db");
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task GivenDataFilesLeftWorldReadableByAnEarlierVersion_WhenIdentityStartsOnThem_ThenTheyAreNarrowed()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var directory = System.IO.Directory.CreateTempSubdirectory("chronicle-permissions-").FullName;
        try
        {
            await using (await IdentityInstance.StartAsync(dataDirectory: directory))
            {
            }

            var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
            File.SetUnixFileMode(directory, open | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            foreach (var file in System.IO.Directory.EnumerateFiles(directory))
                File.SetUnixFileMode(file, open);

            await using (await IdentityInstance.StartAsync(dataDirectory: directory))
                PrivateDataFiles.AssertPrivate(directory, "identity.db", "events.db", "read-models.db", "direct-broker.db");
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void GivenASqliteFileToBe_WhenItIsPrepared_ThenItExistsEmptyAs0600InA0700Directory()
    {
        if (!OperatingSystem.IsLinux())
            return;
        var parent = System.IO.Directory.CreateTempSubdirectory("chronicle-permissions-").FullName;
        try
        {
            var path = PrivateDataDirectory.PrepareFile(Path.Combine(parent, "nested", "store.db"));

            Assert.Equal(0, new FileInfo(path).Length);
            Assert.Equal(PrivateDataDirectory.PrivateFileMode, File.GetUnixFileMode(path));
            Assert.Equal(PrivateDataDirectory.PrivateDirectoryMode, File.GetUnixFileMode(Path.Combine(parent, "nested")));
        }
        finally
        {
            System.IO.Directory.Delete(parent, recursive: true);
        }
    }
}

/// <summary>The same rule in the built Record and Audit services, as the launcher runs them.</summary>
[Collection(RealServicesCollection.Name)]
public sealed class RealServiceDataFilePermissionTests(RealServicesFixture services)
{
    [Fact]
    public void GivenTheRecordAndAuditServicesStarted_WhenTheirDataDirectoriesAreListed_ThenOnlyTheirUserCanReadAnything()
    {
        if (!OperatingSystem.IsLinux())
            return;

        PrivateDataFiles.AssertPrivate(services.DataDirectoryOf("record"), "events.db", "read-models.db", "direct-broker.db");
        PrivateDataFiles.AssertPrivate(services.DataDirectoryOf("audit"), "events.db", "read-models.db", "direct-broker.db",
            "checkpoint-signing-key.pem", "checkpoint-signing-key.pub.pem");
    }
}

[SupportedOSPlatform("linux")]
internal static class PrivateDataFiles
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void AssertPrivate(string directory, params string[] expectedFiles)
    {
        Assert.Equal(PrivateDataDirectory.PrivateDirectoryMode, File.GetUnixFileMode(directory));
        var files = System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).ToList();
        foreach (var expected in expectedFiles)
            Assert.Contains(Path.Combine(directory, expected), files);
        // -wal and -shm included: SQLite gives them their database's mode.
        Assert.All(files, file => Assert.True((File.GetUnixFileMode(file) & GroupOrOther) == 0,
            $"{file} is {File.GetUnixFileMode(file)}"));
    }
}
