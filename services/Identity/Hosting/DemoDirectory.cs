using Chronicle.Contracts;
using Chronicle.Contracts.Demo;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Schema;
using Chronicle.Security;
using Microsoft.EntityFrameworkCore;

namespace Chronicle.Identity.Hosting;

/// <summary>Demo data for local runs (<c>--demo</c>): two practices, one member of staff per role, a patient, a module and a partner UI.</summary>
public static class DemoDirectory
{
    public const string Password = DemoAccounts.Password;
    public const string PracticeA = DemoAccounts.PracticeOds;
    public const string PracticeB = "A81002";
    public const string ModuleClientId = DemoAccounts.ModuleClientId;
    public const string ModuleSecret = DemoAccounts.ModuleSecret;
    public const string ModuleScopes = DemoAccounts.ModuleScopes;
    public const string PartnerUiClientId = "chronicle-partner-ui";
    public const string PatientUserName = DemoAccounts.PatientUserName;
    public static readonly Guid PatientId = DemoAccounts.PatientId;
    public static readonly IReadOnlyList<Uri> PartnerUiRedirectUris =
        [new("http://127.0.0.1:5400/callback"), new("http://localhost:5400/callback")];

    /// <summary>The demo accounts' user names: "{role}.a81001" for each role, plus "gp.a81002" and "practice-manager.a81002".</summary>
    public static string StaffUserName(string role, string practiceOds) => $"{role}.{practiceOds.ToLowerInvariant()}";

    /// <summary>Creates what is missing; running it again changes nothing.</summary>
    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        // Replicas started together with --demo seed once.
        await using var transaction = await IdentityDatabase.BeginLockedAsync(db, "demo-directory", cancellationToken).ConfigureAwait(false);
        if (await db.Practices.AnyAsync(p => p.OdsCode == PracticeA, cancellationToken).ConfigureAwait(false))
            return;
        var directory = scope.ServiceProvider.GetRequiredService<DirectoryService>();
        await directory.AddPracticeAsync(PracticeA, "Riverside Medical Practice", cancellationToken).ConfigureAwait(false);
        await directory.AddPracticeAsync(PracticeB, "Hillview Surgery", cancellationToken).ConfigureAwait(false);
        foreach (var role in StaffRoles.All)
            await directory.AddStaffAsync(StaffUserName(role, PracticeA), $"Demo {role}", role, PracticeA, Password, cancellationToken).ConfigureAwait(false);
        foreach (var role in new[] { StaffRoles.Gp, StaffRoles.PracticeManager })
            await directory.AddStaffAsync(StaffUserName(role, PracticeB), $"Demo {role} (Hillview)", role, PracticeB, Password, cancellationToken)
                .ConfigureAwait(false);
        await directory.AddPatientAccountAsync(PatientUserName, "Demo Patient", PatientId, Password, cancellationToken).ConfigureAwait(false);
        await directory.RegisterModuleAsync(ModuleClientId, "Demo online consultation module", ModuleSecret, ModuleScopes.Split(' '), cancellationToken)
            .ConfigureAwait(false);
        await directory.EnableModuleAsync(OdsCode.Parse(PracticeA), ModuleClientId, "demo", cancellationToken).ConfigureAwait(false);
        await directory.RegisterPartnerUiAsync(PartnerUiClientId, "Chronicle partner UI (demo)", PartnerUiRedirectUris, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        // Until the Record service's registration events arrive, the demo patient is registered at practice A (idempotent by event id).
        await scope.ServiceProvider.GetRequiredService<RegistrationFacts>()
            .RecordRegistrationAsync(Guid.Parse("0196f1c0-0000-7000-8000-0000000000e1"), PatientId, PracticeA, 0, cancellationToken)
            .ConfigureAwait(false);
    }

    public static string Describe(Uri issuer) => $"""
        Demo credentials (password for every account: {Password})
          staff at {PracticeA}: {string.Join(", ", StaffRoles.All.Select(r => StaffUserName(r, PracticeA)))}
          staff at {PracticeB}: {StaffUserName(StaffRoles.Gp, PracticeB)}, {StaffUserName(StaffRoles.PracticeManager, PracticeB)}
          patient: {PatientUserName} (patient record {PatientId}, registered at {PracticeA})
          supplier module (client credentials, enabled at {PracticeA} only): client_id={ModuleClientId} client_secret={ModuleSecret} scopes="{ModuleScopes}"
          partner UI (authorization code + PKCE, public client): client_id={PartnerUiClientId} redirect_uri={PartnerUiRedirectUris[0]}
          token endpoint: {new Uri(issuer, "connect/token")}
        """;
}
