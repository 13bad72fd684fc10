using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Chronicle.Messaging.Receiving;

/// <summary>
/// Dapr's app API token: the secret the sidecar sends in <c>dapr-api-token</c> on every call it makes to its app, so the
/// app can tell its own sidecar from anyone else who reaches the gRPC port. The direct transport sends it the same way.
/// </summary>
public static class AppApiToken
{
    public const string Header = "dapr-api-token";

    /// <summary>The variable Dapr's sidecar injector fills from the <c>dapr.io/app-token-secret</c> Secret.</summary>
    public const string EnvironmentVariable = "APP_API_TOKEN";

    /// <summary>Refuses a call that does not carry this app's token (UNAUTHENTICATED); changes nothing.</summary>
    public static void Require(MessagingOptions options, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        if (options.Dapr.AppApiToken is not { Length: > 0 } expected)
        {
            // Only reachable with the loudly-logged development switch: startup refuses a missing token otherwise.
            if (options.Dapr.AllowMissingAppApiToken)
                return;
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The app callback has no app API token configured and answers nobody."));
        }

        if (!Matches(context.RequestHeaders.GetValue(Header), expected))
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"The app callback answers only the Dapr sidecar ({Header})."));
    }

    private static bool Matches(string? sent, string expected) =>
        sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected));

    /// <summary>The token to send to <paramref name="appId"/> as its sidecar would: its own, or else the one this app shares with it.</summary>
    internal static string? For(MessagingOptions options, string appId) =>
        options.Apps.GetValueOrDefault(appId)?.AppApiToken is { Length: > 0 } own ? own : options.Dapr.AppApiToken;

    /// <summary>Calls through <paramref name="invoker"/> carry <paramref name="token"/> in <see cref="Header"/>.</summary>
    public static CallInvoker Sending(this CallInvoker invoker, string? token) =>
        token is { Length: > 0 }
            ? invoker.Intercept(metadata =>
            {
                metadata.Add(Header, token);
                return metadata;
            })
            : invoker;
}

/// <summary>A service that runs a transport refuses to start without an app API token, unless the development switch says so.</summary>
internal sealed class AppApiTokenValidation : IValidateOptions<MessagingOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagingOptions options) =>
        options.Dapr.AppApiToken is { Length: > 0 } || options.Dapr.AllowMissingAppApiToken
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"No app API token: set Chronicle:Dapr:AppApiToken (under Dapr, {AppApiToken.EnvironmentVariable} from the dapr.io/app-token-secret " +
                "annotation), or for development only Chronicle:Dapr:AllowMissingAppApiToken=true, which leaves the app callback open " +
                "to anyone who can reach the gRPC port.");
}

/// <summary>Says at every start, where operators look, that the development switch left the app callback open.</summary>
internal sealed partial class MissingAppApiTokenWarning(IOptions<MessagingOptions> options, ILogger<MissingAppApiTokenWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var messaging = options.Value;
        if (messaging.Dapr.AppApiToken is not { Length: > 0 } && messaging.Dapr.AllowMissingAppApiToken)
            LogOpen(logger, messaging.AppId);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "SECURITY: {AppId} runs without an app API token (Chronicle:Dapr:AllowMissingAppApiToken=true): " +
        "anyone who can reach its gRPC port can deliver forged events to it. Development only.")]
    private static partial void LogOpen(ILogger logger, string appId);
}
