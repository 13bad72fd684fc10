using System.Security.Claims;
using System.Text.Encodings.Web;
using Chronicle.Auditing;
using Chronicle.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Chronicle.Identity.SignIn;

/// <summary>The login page staff and patients sign in on during the authorization code flow: a plain HTML form with antiforgery.</summary>
public static class LoginPage
{
    public const string Path = "/account/login";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public const string FailureMessage =
        "Sign-in failed. Check your user name and password. After several failed attempts the account is locked for a while.";

    private const string SignIn = "Staff sign-in: it names an account, never a patient.";

    public static void MapLoginPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
            Page(context, antiforgery, returnUrl, error: null)).AllowAnonymous().NoPatientData(SignIn);

        endpoints.MapPost(Path, async (HttpContext context, IAntiforgery antiforgery, PasswordSignIn signIn) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
                return Results.Text("The form has expired. Go back and load the login page again.", statusCode: StatusCodes.Status400BadRequest);
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var returnUrl = LocalOrNull(form["returnUrl"]);
            var account = await signIn.SignInAsync(form["username"].ToString(), form["password"].ToString(),
                CredentialRateLimits.SourceOf(context), context.RequestAborted).ConfigureAwait(false);
            if (account is null)
                return Page(context, antiforgery, returnUrl, FailureMessage, StatusCodes.Status200OK);

            var identity = new ClaimsIdentity(CookieScheme, ChronicleClaims.Subject, ChronicleClaims.Role);
            identity.AddClaim(new Claim(ChronicleClaims.Subject, account.Id.ToString()));
            await context.SignInAsync(CookieScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
            return Results.Redirect(returnUrl ?? "/");
        }).AllowAnonymous().DisableAntiforgery().AddEndpointFilter(CredentialRateLimits.LimitBySource).NoPatientData(SignIn);
    }

    private static IResult Page(HttpContext context, IAntiforgery antiforgery, string? returnUrl, string? error, int status = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = HtmlEncoder.Default;
        var body = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Sign in to Chronicle</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body>
            <main>
            <h1>Sign in to Chronicle</h1>
            {(error is null ? "" : $"<p role=\"alert\" class=\"error\">{html.Encode(error)}</p>")}
            <form method="post" action="{Path}">
            <input type="hidden" name="{html.Encode(tokens.FormFieldName)}" value="{html.Encode(tokens.RequestToken ?? "")}">
            <input type="hidden" name="returnUrl" value="{html.Encode(LocalOrNull(returnUrl) ?? "")}">
            <p><label for="username">User name</label><br><input id="username" name="username" autocomplete="username" required></p>
            <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit">Sign in</button></p>
            </form>
            </main>
            </body>
            </html>
            """;
        return Results.Content(body, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>Only paths on this server are followed after sign-in, so the form cannot be used to redirect elsewhere.</summary>
    private static string? LocalOrNull(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : null;
}
