using System.Collections.Immutable;
using System.Security.Claims;
using Chronicle.Identity.Directory;
using Chronicle.Identity.Hosting;
using Chronicle.Auditing;
using Chronicle.Security;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Chronicle.Identity.SignIn;

/// <summary>
/// The authorization and token endpoints. OpenIddict validates the protocol (clients, secrets, PKCE, codes, refresh
/// tokens); these handlers decide who the token is for and what it may do, from the directory as it is now.
/// </summary>
public static class OAuthEndpoints
{
    public const string AuthorizationPath = "/connect/authorize";
    public const string TokenPath = "/connect/token";

    public static void MapOAuthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        const string Tokens = "OAuth authorization and token requests: they name clients and users, not patients.";
        endpoints.MapMethods(AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).AllowAnonymous().DisableAntiforgery().NoPatientData(Tokens);
        endpoints.MapPost(TokenPath, ExchangeAsync).AllowAnonymous().DisableAntiforgery().NoPatientData(Tokens);
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext context, IdentityDbContext db, TimeProvider time, IOptions<IdentityServiceOptions> options)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var login = await context.AuthenticateAsync(LoginPage.CookieScheme).ConfigureAwait(false);
        var account = login.Succeeded ? await FindAccountAsync(db, login.Principal, context.RequestAborted).ConfigureAwait(false) : null;
        if (account is null || PasswordSignIn.IsLockedOut(account, time.GetUtcNow()) || request.HasPromptValue(PromptValues.Login))
        {
            if (request.HasPromptValue(PromptValues.None))
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            var query = context.Request.HasFormContentType
                ? QueryString.Create((await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))
                    .Where(p => p.Key != Parameters.Prompt).Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())))
                : QueryString.Create(context.Request.Query.Where(p => p.Key != Parameters.Prompt)
                    .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString())));
            return Results.Challenge(new AuthenticationProperties { RedirectUri = context.Request.PathBase + context.Request.Path + query },
                [LoginPage.CookieScheme]);
        }

        var scopes = ScopePolicy.GrantForUser(account, request.GetScopes());
        return Results.SignIn(UserPrincipal(account, request.ClientId!, scopes, options.Value.Audience), null,
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> ExchangeAsync(HttpContext context, IdentityDbContext db, TimeProvider time, IOptions<IdentityServiceOptions> options)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var audience = options.Value.Audience;
        if (request.IsClientCredentialsGrantType())
        {
            var module = await db.Modules.AsNoTracking().FirstOrDefaultAsync(m => m.ClientId == request.ClientId, context.RequestAborted)
                .ConfigureAwait(false);
            if (module is null)
                return Refuse(Errors.UnauthorizedClient, "Only registered supplier modules may use the client credentials grant.");
            var requested = request.GetScopes();
            var scopes = requested.IsEmpty ? SmartScope.ParseList(module.AllowedScopes).Select(s => s.ToString()).ToImmutableArray() : requested;
            var refused = ScopePolicy.RefusedForModule(module.AllowedScopes, scopes);
            if (refused.Count > 0)
                return Refuse(Errors.InvalidScope, $"This module may not be granted: {string.Join(' ', refused)}.");

            var identity = NewIdentity();
            identity.SetClaim(ChronicleClaims.Subject, module.ClientId).SetClaim(ChronicleClaims.ClientId, module.ClientId)
                .SetClaim(Claims.Name, module.Name);
            identity.SetScopes(scopes).SetResources(audience);
            identity.SetDestinations(Destinations);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // The directory may have changed since the code or refresh token was issued: the token reflects it as it is now.
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme).ConfigureAwait(false);
            var account = result.Succeeded ? await FindAccountAsync(db, result.Principal, context.RequestAborted).ConfigureAwait(false) : null;
            if (account is null || PasswordSignIn.IsLockedOut(account, time.GetUtcNow()))
                return Refuse(Errors.InvalidGrant, "The account can no longer sign in.");
            var granted = request.GetScopes() is { IsEmpty: false } narrowed ? narrowed : result.Principal!.GetScopes();
            var scopes = ScopePolicy.GrantForUser(account, granted);
            return Results.SignIn(UserPrincipal(account, request.ClientId!, scopes, audience), null,
                OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static ClaimsPrincipal UserPrincipal(Account account, string clientId, IEnumerable<string> scopes, string audience)
    {
        var identity = NewIdentity();
        identity.SetClaim(ChronicleClaims.Subject, account.Id.ToString())
            .SetClaim(ChronicleClaims.ClientId, clientId)
            .SetClaim(Claims.Name, account.DisplayName)
            .SetClaim(Claims.PreferredUsername, account.UserName);
        switch (account)
        {
            case StaffAccount staff:
                identity.SetClaim(ChronicleClaims.Role, staff.Role).SetClaim(ChronicleClaims.Organisation, staff.PracticeOds);
                break;
            case PatientAccount patient:
                identity.SetClaim(ChronicleClaims.Patient, patient.PatientId.ToString());
                break;
        }

        identity.SetScopes(scopes).SetResources(audience);
        identity.SetDestinations(Destinations);
        return new ClaimsPrincipal(identity);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, ChronicleClaims.Subject, ChronicleClaims.Role);

    private static IEnumerable<string> Destinations(Claim claim) => claim.Type switch
    {
        ChronicleClaims.Subject or Claims.Name or Claims.PreferredUsername or ChronicleClaims.Role
            or ChronicleClaims.Organisation or ChronicleClaims.Patient => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken],
        ChronicleClaims.ClientId => [OpenIddictConstants.Destinations.AccessToken],
        _ => [],
    };

    private static async Task<Account?> FindAccountAsync(IdentityDbContext db, ClaimsPrincipal? principal, CancellationToken cancellationToken) =>
        Guid.TryParse(principal?.FindFirst(ChronicleClaims.Subject)?.Value, out var id)
            ? await db.Accounts.FirstOrDefaultAsync(a => a.Id == id, cancellationToken).ConfigureAwait(false)
            : null;

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
