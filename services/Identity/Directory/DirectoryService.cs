using Chronicle.Contracts;
using Chronicle.Identity.Messaging;
using Chronicle.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Chronicle.Identity.Directory;

/// <summary>Changes to the directory: practices, staff, patient accounts, supplier modules and partner UIs.</summary>
/// ODS codes are stored in their normalised form (<see cref="OdsCode"/>) only, because the database compares them exactly.
public sealed class DirectoryService(
    IdentityDbContext db, IOpenIddictApplicationManager applications, IPasswordHasher<Account> hasher, TimeProvider time, AccessChanges accessChanges)
{
    public async Task<Practice> AddPracticeAsync(string odsCode, string name, CancellationToken cancellationToken = default)
    {
        var practice = new Practice { OdsCode = RequireOds(odsCode, nameof(odsCode)).Value, Name = name };
        db.Practices.Add(practice);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return practice;
    }

    public async Task<StaffAccount> AddStaffAsync(
        string userName, string displayName, string role, string practiceOds, string password, CancellationToken cancellationToken = default)
    {
        if (!StaffRoles.IsKnown(role))
            throw new ArgumentException($"'{role}' is not a staff role; use one of {string.Join(", ", StaffRoles.All)}.", nameof(role));
        var account = new StaffAccount
        {
            UserName = Normalise(userName), DisplayName = displayName, Role = role, PracticeOds = RequireOds(practiceOds, nameof(practiceOds)).Value,
        };
        account.PasswordHash = hasher.HashPassword(account, password);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return account;
    }

    public async Task<PatientAccount> AddPatientAccountAsync(
        string userName, string displayName, Guid patientId, string password, CancellationToken cancellationToken = default)
    {
        var account = new PatientAccount { UserName = Normalise(userName), DisplayName = displayName, PatientId = patientId };
        account.PasswordHash = hasher.HashPassword(account, password);
        db.Accounts.Add(account);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return account;
    }

    /// <summary>
    /// Registers a supplier module: an OAuth client for the client-credentials flow that may be granted the given
    /// system/ scopes. Its secret is stored hashed by OpenIddict and never again readable. It reaches no patient until
    /// a practice enables it.
    /// </summary>
    public async Task<SupplierModule> RegisterModuleAsync(
        string clientId, string name, string clientSecret, IEnumerable<string> allowedScopes, CancellationToken cancellationToken = default)
    {
        var scopes = allowedScopes.Distinct(StringComparer.Ordinal).ToList();
        var refused = scopes.Where(s => !ScopePolicy.IsRegistrableModuleScope(s)).ToList();
        if (scopes.Count == 0 || refused.Count > 0)
            throw new ArgumentException(
                $"A module registers for SMART system/ scopes such as system/Patient.rs; not allowed: {string.Join(" ", refused)}.", nameof(allowedScopes));

        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = name,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        }, cancellationToken).ConfigureAwait(false);
        var module = new SupplierModule { ClientId = clientId, Name = name, AllowedScopes = string.Join(' ', scopes), RegisteredAt = time.GetUtcNow() };
        db.Modules.Add(module);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return module;
    }

    /// <summary>A partner UI: a public client that signs staff and patients in with authorization code + PKCE.</summary>
    public async Task RegisterPartnerUiAsync(string clientId, string name, IEnumerable<Uri> redirectUris, CancellationToken cancellationToken = default)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientType = ClientTypes.Public,
            DisplayName = name,
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in redirectUris)
            descriptor.RedirectUris.Add(uri);
        await applications.CreateAsync(descriptor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A practice lets a module reach its patients. Enabling twice changes nothing. Services holding an earlier "no" for
    /// the module are told (<see cref="AccessChanges"/>) once the change is committed.
    /// </summary>
    /// <returns>False when no module has <paramref name="clientId"/>.</returns>
    public async Task<bool> EnableModuleAsync(OdsCode practice, string clientId, string enabledBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(practice);
        if (!await db.Modules.AnyAsync(m => m.ClientId == clientId, cancellationToken).ConfigureAwait(false))
            return false;
        if (await IsEnabledAsync(practice, clientId, cancellationToken).ConfigureAwait(false))
            return true;
        db.ModuleEnablements.Add(new ModuleEnablement
        {
            PracticeOds = practice.Value, ClientId = clientId, EnabledBy = enabledBy, EnabledAt = time.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            // The same enablement committed by a concurrent request is this request's effect; anything else is not.
            if (!await IsEnabledAsync(practice, clientId, cancellationToken).ConfigureAwait(false))
                throw;
            return true;
        }

        await accessChanges.ModuleAccessChangedAsync(clientId, practice.Value, enabled: true, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A practice stops a module reaching its patients. Services holding an earlier "yes" for the module drop it when
    /// told (<see cref="AccessChanges"/>), so the module is refused on its next request.
    /// </summary>
    /// <returns>False when no module has <paramref name="clientId"/>.</returns>
    public async Task<bool> DisableModuleAsync(OdsCode practice, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(practice);
        if (!await db.Modules.AnyAsync(m => m.ClientId == clientId, cancellationToken).ConfigureAwait(false))
            return false;
        var removed = await db.ModuleEnablements.Where(e => e.PracticeOds == practice.Value && e.ClientId == clientId)
            .ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        if (removed > 0)
            await accessChanges.ModuleAccessChangedAsync(clientId, practice.Value, enabled: false, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private Task<bool> IsEnabledAsync(OdsCode practice, string clientId, CancellationToken cancellationToken) =>
        db.ModuleEnablements.AnyAsync(e => e.PracticeOds == practice.Value && e.ClientId == clientId, cancellationToken);

    private static OdsCode RequireOds(string text, string parameter) =>
        OdsCode.TryParse(text, out var code) ? code : throw new ArgumentException($"'{text}' is not an ODS code ({OdsCode.Shape}).", parameter);

    public static string Normalise(string userName) => userName.Trim().ToLowerInvariant();
}
