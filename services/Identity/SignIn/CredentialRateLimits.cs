using System.Globalization;
using System.Threading.RateLimiting;
using Chronicle.Identity.Hosting;
using Microsoft.AspNetCore;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Chronicle.Identity.SignIn;

/// <summary>
/// The limits on guessing credentials, applied to what a request is rather than to how its path is spelled (a trailing
/// slash or another case reached the same endpoints past a path comparison): the token endpoint is limited inside
/// OpenIddict once it has recognised a token request (<see cref="TokenRequestLimits"/>), and the login form through the
/// endpoint it is routed to (<see cref="LimitBySource"/>). Both share one budget per client address; a client id has
/// its own budget of failed client authentications, so guessing one module's secret from many addresses is limited too.
/// A client whose budget is spent is refused, the right secret included, until its window ends: the window is short,
/// and keeping it spent means failing again from an address that is itself limited.
/// </summary>
public sealed class CredentialRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string> _bySource;
    private readonly PartitionedRateLimiter<string> _clientFailures;

    public CredentialRateLimits(IOptions<IdentityServiceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _bySource = PartitionedRateLimiter.Create<string, string>(source => RateLimitPartition.GetFixedWindowLimiter(source, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = settings.TokenRequestsPerWindow, Window = settings.TokenRequestWindow, QueueLimit = 0 }));
        _clientFailures = PartitionedRateLimiter.Create<string, string>(clientId => RateLimitPartition.GetFixedWindowLimiter(clientId, _ =>
            new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.ClientSecretFailuresPerWindow, Window = settings.ClientSecretFailureWindow, QueueLimit = 0,
            }));
        RetryAfter = settings.TokenRequestWindow < settings.ClientSecretFailureWindow ? settings.ClientSecretFailureWindow : settings.TokenRequestWindow;
    }

    /// <summary>What a refused caller is told to wait (the longer window: it is at most that).</summary>
    public TimeSpan RetryAfter { get; }

    public static string SourceOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
    }

    /// <summary>Takes one request from the address's budget; false when it is spent.</summary>
    public bool TryAdmitSource(string source)
    {
        using var lease = _bySource.AttemptAcquire(source);
        return lease.IsAcquired;
    }

    /// <summary>Whether the client id still has failed authentications left in its window.</summary>
    public bool ClientMayAuthenticate(string clientId) => _clientFailures.GetStatistics(clientId)?.CurrentAvailablePermits is not 0;

    public void RecordClientFailure(string clientId)
    {
        using var _ = _clientFailures.AttemptAcquire(clientId);
    }

    public void RefuseWith429(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = ((int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The login form's endpoint filter: one request from the address's budget, or 429.</summary>
    public static async ValueTask<object?> LimitBySource(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(next);
        var limits = invocation.HttpContext.RequestServices.GetRequiredService<CredentialRateLimits>();
        if (limits.TryAdmitSource(SourceOf(invocation.HttpContext)))
            return await next(invocation).ConfigureAwait(false);
        limits.RefuseWith429(invocation.HttpContext.Response);
        return Results.Empty;
    }

    public void Dispose()
    {
        _bySource.Dispose();
        _clientFailures.Dispose();
    }
}

/// <summary>
/// Applies <see cref="CredentialRateLimits"/> to every request OpenIddict takes as a token request, whatever path
/// spelling reached it: once extracted (so the client id is known, from the form or Basic authentication) and before the
/// client's secret is checked; and counts each failed client authentication against its client id.
/// </summary>
public sealed class TokenRequestLimits(CredentialRateLimits limits)
    : IOpenIddictServerHandler<ExtractTokenRequestContext>, IOpenIddictServerHandler<ApplyTokenResponseContext>
{
    public ValueTask HandleAsync(ExtractTokenRequestContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.Transaction.GetHttpRequest()?.HttpContext ?? throw new InvalidOperationException("Not an ASP.NET Core request.");
        var clientId = context.Request?.ClientId;
        if (!limits.TryAdmitSource(CredentialRateLimits.SourceOf(http)) || (clientId is not null && !limits.ClientMayAuthenticate(clientId)))
        {
            limits.RefuseWith429(http.Response);
            context.HandleRequest();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(ApplyTokenResponseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Error == Errors.InvalidClient && context.Request?.ClientId is { Length: > 0 } clientId)
            limits.RecordClientFailure(clientId);
        return ValueTask.CompletedTask;
    }

    /// <summary>After every extraction step (the client id may come from the Authorization header), before any validation.</summary>
    public static OpenIddictServerHandlerDescriptor ExtractDescriptor { get; } = OpenIddictServerHandlerDescriptor
        .CreateBuilder<ExtractTokenRequestContext>().UseSingletonHandler<TokenRequestLimits>().SetOrder(int.MaxValue - 100_000)
        .SetType(OpenIddictServerHandlerType.Custom).Build();

    public static OpenIddictServerHandlerDescriptor ApplyDescriptor { get; } = OpenIddictServerHandlerDescriptor
        .CreateBuilder<ApplyTokenResponseContext>().UseSingletonHandler<TokenRequestLimits>().SetOrder(int.MinValue + 50_000)
        .SetType(OpenIddictServerHandlerType.Custom).Build();
}
