using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Chronicle.Auditing;
using Chronicle.Identity.Access;
using Chronicle.Contracts;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Chronicle.Identity.Admin;

/// <summary>
/// The open market: any supplier registers a module and receives its credentials; each practice's manager sees every
/// module and enables or disables it for their own practice. Nothing else is needed for a module to connect.
/// </summary>
public static partial class ModuleEndpoints
{
    public sealed record RegisterModuleRequest(string? Name, string? Scope);
    public sealed record RegisteredModule(string ClientId, string ClientSecret, string Name, string Scope);
    public sealed record PracticeModule(string ClientId, string Name, string Scope, bool Enabled);

    public static void MapModuleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/modules", async (RegisterModuleRequest body, DirectoryService directory, IOptions<IdentityServiceOptions> options,
            CancellationToken cancellationToken) =>
        {
            if (!options.Value.OpenModuleRegistration)
                return Results.Problem("Module registration is closed on this server.", statusCode: StatusCodes.Status403Forbidden);
            var name = body.Name?.Trim();
            var scopes = (body.Scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (string.IsNullOrEmpty(name) || name.Length > 200)
                return Results.Problem("name is required (at most 200 characters).", statusCode: StatusCodes.Status400BadRequest);
            if (scopes.Length == 0 || !scopes.All(ScopePolicy.IsRegistrableModuleScope))
                return Results.Problem("scope must list SMART system/ scopes, e.g. \"system/Patient.rs system/Observation.rs\".",
                    statusCode: StatusCodes.Status400BadRequest);
            var clientId = $"{Slug(name)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            var module = await directory.RegisterModuleAsync(clientId, name, secret, scopes, cancellationToken).ConfigureAwait(false);
            return Results.Created($"/modules/{clientId}", new RegisteredModule(clientId, secret, module.Name, module.AllowedScopes));
        }).AllowAnonymous().DisableAntiforgery().NoPatientData("A supplier module registers itself; no practice or patient is named.");

        // The ODS code in the path is read in any case and used normalised (A81001): the directory compares it exactly.
        var practice = endpoints.MapGroup("/admin/practices/{ods}/modules");
        // Which modules may reach a practice's patients: enabling and disabling are updates, the list a search.
        practice.Audited(AuditAction.Update, IdentityAuditing.PracticeModules);
        practice.MapGet("", async (string ods, HttpContext context, IdentityDbContext db, CancellationToken cancellationToken) =>
        {
            if (!OdsCode.TryParse(ods, out var code))
                return NotAnOdsCode(ods);
            if (ManagerOf(context, code) is null)
                return NotManager();
            var enabled = await db.ModuleEnablements.Where(e => e.PracticeOds == code.Value).Select(e => e.ClientId)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var modules = await db.Modules.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
            return Results.Ok(modules.Select(m => new PracticeModule(m.ClientId, m.Name, m.AllowedScopes, enabled.Contains(m.ClientId))));
        }).Audited(AuditAction.Search, IdentityAuditing.PracticeModules);
        practice.MapPut("/{clientId}", async (string ods, string clientId, HttpContext context, DirectoryService directory,
            CancellationToken cancellationToken) =>
        {
            if (!OdsCode.TryParse(ods, out var code))
                return NotAnOdsCode(ods);
            if (ManagerOf(context, code) is not { } manager)
                return NotManager();
            return await directory.EnableModuleAsync(code, clientId, manager, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : NoSuchModule(clientId);
        });
        practice.MapDelete("/{clientId}", async (string ods, string clientId, HttpContext context, DirectoryService directory,
            CancellationToken cancellationToken) =>
        {
            if (!OdsCode.TryParse(ods, out var code))
                return NotAnOdsCode(ods);
            if (ManagerOf(context, code) is null)
                return NotManager();
            return await directory.DisableModuleAsync(code, clientId, cancellationToken).ConfigureAwait(false)
                ? Results.NoContent()
                : NoSuchModule(clientId);
        });
    }

    /// <summary>The caller's account id when they are the practice manager of <paramref name="practice"/>.</summary>
    private static string? ManagerOf(HttpContext context, OdsCode practice)
    {
        var caller = Caller.From(context.User);
        return caller.Role == StaffRoles.PracticeManager && OdsCode.Normalise(caller.Organisation) == practice.Value
            ? caller.Subject
            : null;
    }

    private static IResult NotAnOdsCode(string ods) =>
        Results.Problem($"'{ods}' is not an ODS code ({OdsCode.Shape}).", statusCode: StatusCodes.Status400BadRequest);

    private static IResult NoSuchModule(string clientId) =>
        Results.Problem($"No module has client id '{clientId}'.", statusCode: StatusCodes.Status404NotFound);

    private static IResult NotManager() =>
        Results.Problem("Only the practice manager of this practice may change its modules.", statusCode: StatusCodes.Status403Forbidden);

    private static string Slug(string name)
    {
        var slug = NonAlphanumeric().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "module" : slug[..Math.Min(slug.Length, 40)];
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();
}
