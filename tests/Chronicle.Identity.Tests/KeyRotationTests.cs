using System.Net.Http.Headers;
using System.Text.Json;
using Chronicle.Identity.Hosting;
using Chronicle.Identity.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Chronicle.Identity.Tests;

/// <summary>Signing keys rotate without breaking tokens already issued, and survive a restart.</summary>
public sealed class KeyRotationTests
{
    [Fact]
    public async Task GivenATokenIssuedBeforeRotation_WhenTheKeyRotates_ThenOldAndNewTokensAreBothAccepted()
    {
        await using var identity = await IdentityInstance.StartAsync();
        await using var service = await ProtectedService.StartAsync(identity);
        var oauth = new OAuthTestClient(identity.Http);
        var before = (await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret)).AccessToken;
        Assert.Equal(200, await ReadPatientAsync(service, before));
        var keysBefore = await PublishedKeyIdsAsync(identity);

        await identity.Services.GetRequiredService<SigningKeyRing>().RotateAsync();
        var after = (await oauth.ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret)).AccessToken;
        var keysAfter = await PublishedKeyIdsAsync(identity);

        var oldKid = new JsonWebToken(before).Kid;
        var newKid = new JsonWebToken(after).Kid;
        Assert.NotEqual(oldKid, newKid);
        // The new key was published before it signed anything, so services already had it.
        Assert.Contains(newKid, keysBefore);
        Assert.Contains(oldKid, keysAfter);
        Assert.Equal(200, await ReadPatientAsync(service, before));
        Assert.Equal(200, await ReadPatientAsync(service, after));
    }

    [Fact]
    public async Task GivenRetiredKeys_WhenTheyAreOlderThanTheLongestTokenLifetime_ThenTheyAreNoLongerPublished()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var identity = await IdentityInstance.StartAsync(clock: clock);
        var ring = identity.Services.GetRequiredService<SigningKeyRing>();
        var first = ring.ActiveKeyId;

        await ring.RotateAsync();
        Assert.Contains(first, await PublishedKeyIdsAsync(identity));
        clock.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));
        await ring.LoadAsync();

        Assert.DoesNotContain(first, await PublishedKeyIdsAsync(identity));
    }

    [Fact]
    public async Task GivenAnActiveKeyOlderThanItsLifetime_WhenTheKeysAreReloaded_ThenTheNextKeyTakesOver()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var identity = await IdentityInstance.StartAsync(clock: clock);
        var ring = identity.Services.GetRequiredService<SigningKeyRing>();
        var first = ring.ActiveKeyId;

        clock.Advance(TimeSpan.FromDays(31));
        await ring.LoadAsync();

        Assert.NotEqual(first, ring.ActiveKeyId);
        Assert.Contains(first, await PublishedKeyIdsAsync(identity));
    }

    [Fact]
    public async Task GivenATokenIssuedBeforeARestart_WhenIdentityRestartsOnTheSameDatabase_ThenTheTokenIsStillAccepted()
    {
        var directory = Path.Combine(Path.GetTempPath(), "chronicle-identity-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string token;
            string kid;
            int port;
            await using (var first = await IdentityInstance.StartAsync(dataDirectory: directory))
            {
                token = (await new OAuthTestClient(first.Http).ClientCredentialsAsync(DemoDirectory.ModuleClientId, DemoDirectory.ModuleSecret))
                    .AccessToken;
                kid = first.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId;
                port = first.Http.Port;
            }

            await using var second = await IdentityInstance.StartAsync(
                new Dictionary<string, string?> { ["Chronicle:Ports:Http"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                dataDirectory: directory);
            await using var service = await ProtectedService.StartAsync(second);

            Assert.Equal(kid, second.Services.GetRequiredService<SigningKeyRing>().ActiveKeyId);
            Assert.Equal(200, await ReadPatientAsync(service, token));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (System.IO.Directory.Exists(directory))
                System.IO.Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task<int> ReadPatientAsync(ProtectedService service, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(service.FhirBase, $"Patient/{DemoDirectory.PatientId}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    private static async Task<List<string>> PublishedKeyIdsAsync(IdentityInstance identity)
    {
        using var http = new HttpClient();
        using var jwks = JsonDocument.Parse(await http.GetStringAsync(new Uri(identity.Http, ".well-known/jwks")));
        return jwks.RootElement.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()!).ToList();
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
