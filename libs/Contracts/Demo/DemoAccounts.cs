namespace Chronicle.Contracts.Demo;

/// <summary>
/// What the services' <c>--demo</c> data agree on, so a demo token reaches demo records: Identity's demo directory
/// holds the practice, the patient account and the module; the Record's demo holds that patient's record at that
/// practice. Synthetic and public: never for real data.
/// </summary>
public static class DemoAccounts
{
    /// <summary>The demo practice: its staff, the demo patient and the enabled demo module are there.</summary>
    public const string PracticeOds = "A81001";

    /// <summary>The record the demo patient account (<see cref="PatientUserName"/>) is the patient of.</summary>
    public static readonly Guid PatientId = Guid.Parse("0196f1c0-0000-7000-8000-000000000001");

    public const string PatientUserName = "patient.demo";

    public const string Password = "chronicle-demo";

    public const string ModuleClientId = "demo-module";

    public const string ModuleSecret = "demo-module-secret";

    public const string ModuleScopes = "system/*.rs";

    /// <summary>A shell command that puts a demo module token from <paramref name="issuer"/> into $TOKEN (curl and sed only).</summary>
    public static string TokenCommand(Uri issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        return $"TOKEN=$(curl -s -d grant_type=client_credentials -d client_id={ModuleClientId} -d client_secret={ModuleSecret} " +
            $"-d 'scope={ModuleScopes}' {new Uri(issuer, "connect/token")} | sed -nE 's/.*\"access_token\": *\"([^\"]+)\".*/\\1/p')";
    }
}
