using System.Security.Cryptography;

namespace Chronicle.Testing;

/// <summary>
/// The app API token every service started by a test run expects on its app callback and sends to the others, as the
/// launcher hands out one per run. Service processes get it in their environment (<see cref="ServiceProcess"/>);
/// in-process hosts add <see cref="Setting"/> to their configuration.
/// </summary>
public static class TestAppApiToken
{
    public const string Setting = "Chronicle:Dapr:AppApiToken";

    public const string EnvironmentVariable = "Chronicle__Dapr__AppApiToken";

    public static string Value { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
