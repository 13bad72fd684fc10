using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.WebUtilities;

namespace Chronicle.Identity.Tests;

public sealed record TokenResponse(HttpStatusCode Status, JsonElement Body)
{
    public string AccessToken => Body.GetProperty("access_token").GetString()!;
    public string? RefreshToken => Body.TryGetProperty("refresh_token", out var r) ? r.GetString() : null;
    public string? IdToken => Body.TryGetProperty("id_token", out var r) ? r.GetString() : null;
    public string? Error => Body.TryGetProperty("error", out var e) ? e.GetString() : null;
}

/// <summary>What a supplier module or partner UI does, over real HTTP: the token endpoint, and a browser-like login.</summary>
public sealed class OAuthTestClient(Uri issuer)
{
    public const string RedirectUri = "http://127.0.0.1:5400/callback";

    public async Task<TokenResponse> ClientCredentialsAsync(string clientId, string secret, string? scope = null)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        if (scope is not null)
            form["scope"] = scope;
        return await PostTokenAsync(form);
    }

    public async Task<TokenResponse> RefreshAsync(string clientId, string refreshToken) =>
        await PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["client_id"] = clientId, ["refresh_token"] = refreshToken,
        });

    /// <param name="path">The token endpoint's path as the caller spells it (relative to the issuer).</param>
    public async Task<TokenResponse> PostTokenAsync(IDictionary<string, string> form, string path = "connect/token")
    {
        using var http = new HttpClient();
        using var content = new FormUrlEncodedContent(form);
        using var response = await http.PostAsync(new Uri(issuer, path), content);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default;
        return new TokenResponse(response.StatusCode, body);
    }

    /// <summary>
    /// Authorization code + PKCE as a browser would: follows redirects to the login page, posts the login form (with its
    /// antiforgery field), follows redirects back to the client's redirect URI, then redeems the code.
    /// </summary>
    public async Task<TokenResponse> AuthorizationCodeAsync(string userName, string password, string scope, string clientId = "chronicle-partner-ui")
    {
        var outcome = await SignInAsync(userName, password, scope, clientId);
        if (outcome.Code is null)
            throw new InvalidOperationException($"No authorization code; the last page said: {outcome.LastPage}");
        return await PostTokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = clientId, ["code"] = outcome.Code,
            ["redirect_uri"] = RedirectUri, ["code_verifier"] = outcome.Verifier,
        });
    }

    public sealed record SignInOutcome(string? Code, string Verifier, string? LastPage, string? Error);

    /// <param name="postLoginTo">
    /// Another Identity replica to post the login form to (with the antiforgery cookie and field this one gave); the
    /// flow then goes on here, with the login cookie that replica set.
    /// </param>
    /// <param name="from">The loopback address to connect from (e.g. 127.0.0.2), to act as another client address.</param>
    public async Task<SignInOutcome> SignInAsync(string userName, string password, string scope, string clientId = "chronicle-partner-ui",
        bool withPkce = true, Uri? postLoginTo = null, IPAddress? from = null)
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = clientId, ["response_type"] = "code", ["redirect_uri"] = RedirectUri, ["scope"] = scope, ["state"] = "test-state",
        };
        if (withPkce)
        {
            query["code_challenge"] = challenge;
            query["code_challenge_method"] = "S256";
        }

        using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true };
        if (from is not null)
        {
            handler.ConnectCallback = async (connection, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(connection.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        using var http = new HttpClient(handler);
        var next = new Uri(QueryHelpers.AddQueryString(new Uri(issuer, "connect/authorize").AbsoluteUri, query));
        var response = await http.GetAsync(next);
        string? lastPage = null;
        var posted = false;
        for (var hops = 0; hops < 10; hops++)
        {
            var current = response;
            using (current)
            {
                if (current.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
                {
                    var location = new Uri(posted && postLoginTo is not null ? issuer : next, current.Headers.Location!);
                    if (location.AbsoluteUri.StartsWith(RedirectUri, StringComparison.Ordinal))
                    {
                        var parameters = QueryHelpers.ParseQuery(location.Query);
                        return new SignInOutcome(parameters.TryGetValue("code", out var code) ? code.ToString() : null, verifier, lastPage,
                            parameters.TryGetValue("error", out var error) ? error.ToString() : null);
                    }

                    next = location;
                    response = await http.GetAsync(next);
                    continue;
                }

                lastPage = await current.Content.ReadAsStringAsync();
                if (current.StatusCode != HttpStatusCode.OK || posted)
                    return new SignInOutcome(null, verifier, lastPage, null);
                var document = new HtmlParser().ParseDocument(lastPage);
                var form = document.Forms.FirstOrDefault() ?? throw new InvalidOperationException($"No login form on: {lastPage}");
                var fields = form.Elements.OfType<IHtmlInputElement>().Where(i => !string.IsNullOrEmpty(i.Name))
                    .ToDictionary(i => i.Name!, i => i.Value);
                fields["username"] = userName;
                fields["password"] = password;
                posted = true;
                next = new Uri(postLoginTo ?? next, form.GetAttribute("action") ?? next.AbsoluteUri);
                using var content = new FormUrlEncodedContent(fields);
                response = await http.PostAsync(next, content);
            }
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
