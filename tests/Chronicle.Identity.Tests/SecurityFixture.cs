using System.Collections.Concurrent;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Chronicle.Identity.Tests;

/// <summary>One Identity service (SQLite, demo directory) and one protected service, shared by the security tests.</summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Task<string>> _userTokens = new();

    public IdentityInstance Identity { get; private set; } = null!;
    public ProtectedService Service { get; private set; } = null!;
    public OAuthTestClient OAuth { get; private set; } = null!;

    /// <summary>Registered at A81001 (the demo patient, who has an account).</summary>
    public string PatientAtA => DemoDirectory.PatientId.ToString();
    public string SecondPatientAtA { get; } = Guid.NewGuid().ToString();
    public string PatientAtB { get; } = Guid.NewGuid().ToString();
    public string UnknownPatient { get; } = Guid.NewGuid().ToString();

    public async Task InitializeAsync()
    {
        Identity = await IdentityInstance.StartAsync(new Dictionary<string, string?>
        {
            // The run must not outlive its tokens.
            ["Chronicle:Identity:AccessTokenLifetime"] = "00:30:00",
        });
        OAuth = new OAuthTestClient(Identity.Http);
        await RegisterAsync(SecondPatientAtA, DemoDirectory.PracticeA);
        await RegisterAsync(PatientAtB, DemoDirectory.PracticeB);
        Service = await ProtectedService.StartAsync(Identity);
    }

    public async Task RegisterAsync(string patientId, string practiceOds)
    {
        await using var scope = Identity.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RegistrationFacts>()
            .RecordRegistrationAsync(Guid.NewGuid(), Guid.Parse(patientId), practiceOds, 0);
    }

    /// <summary>A user's access token through the real authorization code + PKCE flow (cached per user and scope).</summary>
    public Task<string> UserTokenAsync(string userName, string scope = "openid user/*.cruds patient/*.rs") =>
        _userTokens.GetOrAdd($"{userName}|{scope}", async _ =>
        {
            var response = await OAuth.AuthorizationCodeAsync(userName, DemoDirectory.Password, scope);
            return response.AccessToken;
        });

    public Task<string> StaffTokenAsync(string role, string practice = DemoDirectory.PracticeA) =>
        UserTokenAsync(DemoDirectory.StaffUserName(role, practice));

    public Task<string> GpTokenAsync(string practice = DemoDirectory.PracticeA) => StaffTokenAsync(StaffRoles.Gp, practice);

    public Task<string> PatientTokenAsync() => UserTokenAsync(DemoDirectory.PatientUserName);

    public async Task<string> ModuleTokenAsync(string? scope = null) =>
        (await OAuth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret, scope)).AccessToken;

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await Identity.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityFixture>
{
    public const string Name = "security";
}
