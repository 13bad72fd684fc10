using System.Collections.Concurrent;
using Chronicle.Messaging.Receiving;
using Dapr.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Chronicle.Messaging.Invocation;

/// <summary>How calls to one app are made resilient. Bound per app id (named options).</summary>
public sealed class ServiceClientOptions
{
    /// <summary>
    /// Full gRPC method paths ("/chronicle.record.v1.PatientRecord/GetPatient") that are safe to send twice: only these are
    /// retried. A command that is idempotent by a client-chosen id belongs here; one that is not must never be.
    /// </summary>
    public ISet<string> IdempotentMethods { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The whole call including retries, until the response headers arrive (a stream's body is not cut short).</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxRetryAttempts { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long calls fail fast once most recent calls to the app have failed.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Typed gRPC clients for calling other Chronicle apps by app id. Under Dapr the call goes to the local sidecar with the
/// dapr-app-id header (<see cref="DaprClient.CreateInvocationInvoker(string, GrpcChannelOptions, string, string)"/>), and the
/// sidecar routes it; under the direct transport it goes straight to <c>Chronicle:Apps:{appId}:Grpc</c>. Either way the
/// channel's HttpClient carries a Microsoft.Extensions.Http.Resilience pipeline: total and per-attempt timeouts, retries of
/// idempotent methods on transport failures and gRPC Unavailable, and a circuit breaker.
/// </summary>
public static class ServiceInvocationExtensions
{
    public static IServiceCollection AddServiceClient<TClient>(this IServiceCollection services, string appId,
        Action<ServiceClientOptions>? configure = null)
        where TClient : ClientBase<TClient>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(appId);
        var name = ServiceCallInvokers.HttpClientName(appId);
        if (configure is not null)
            services.Configure(name, configure);
        if (!services.Any(d => d.ServiceType == typeof(InvocationTarget) && Equals(d.ImplementationInstance, new InvocationTarget(appId))))
        {
            services.AddSingleton(new InvocationTarget(appId));
            services.AddHttpClient(name).AddResilienceHandler("chronicle-invocation", (pipeline, context) =>
                ConfigurePipeline(pipeline, context.ServiceProvider.GetRequiredService<IOptionsMonitor<ServiceClientOptions>>().Get(name)));
        }

        services.TryAddSingleton<ServiceCallInvokers>();
        services.AddSingleton(provider =>
            (TClient)Activator.CreateInstance(typeof(TClient), provider.GetRequiredService<ServiceCallInvokers>().For(appId))!);
        return services;
    }

    private static void ConfigurePipeline(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, ServiceClientOptions options)
    {
        pipeline
            .AddTimeout(options.TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(IsIdempotent(args.Context, options) && IsTransient(args.Outcome)),
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                BreakDuration = options.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            })
            .AddTimeout(options.AttemptTimeout);
    }

    private static bool IsIdempotent(ResilienceContext context, ServiceClientOptions options) =>
        context.GetRequestMessage()?.RequestUri?.AbsolutePath is { } path && options.IdempotentMethods.Contains(path);

    // gRPC errors travel as HTTP 200 with a grpc-status; a trailers-only answer (an unreachable app behind the sidecar,
    // say) carries it in the headers, where Unavailable (14) is the one that says "try again".
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        HttpClientResiliencePredicates.IsTransient(outcome)
        || (outcome.Result is { } response && response.Headers.TryGetValues("grpc-status", out var status)
            && status.FirstOrDefault() == "14");

    private sealed record InvocationTarget(string AppId);
}

/// <summary>One call invoker per target app, over the app's resilient HttpClient handler chain.</summary>
internal sealed class ServiceCallInvokers(IHttpMessageHandlerFactory handlers, IOptions<MessagingOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<(CallInvoker Invoker, GrpcChannel? Channel)>> _invokers = new(StringComparer.Ordinal);

    public static string HttpClientName(string appId) => $"chronicle-invocation-{appId}";

    public CallInvoker For(string appId) => _invokers.GetOrAdd(appId, id => new Lazy<(CallInvoker, GrpcChannel?)>(() => Create(id))).Value.Invoker;

    private (CallInvoker, GrpcChannel?) Create(string appId)
    {
        var messaging = options.Value;
        var channelOptions = new GrpcChannelOptions { HttpHandler = handlers.CreateHandler(HttpClientName(appId)), DisposeHttpClient = true };
        if (messaging.Transport == MessagingTransport.Dapr)
            return (DaprClient.CreateInvocationInvoker(appId, channelOptions, messaging.Dapr.GrpcEndpoint, messaging.Dapr.ApiToken), null);
        var address = messaging.Apps.GetValueOrDefault(appId)?.Grpc
            ?? throw new InvalidOperationException(
                $"The direct transport has no address for app '{appId}': set Chronicle:Apps:{appId}:Grpc.");
        var channel = GrpcChannel.ForAddress(address, channelOptions);
        // The sidecar adds the target's app API token to an invoked call; the direct transport does the same.
        return (channel.CreateCallInvoker().Sending(AppApiToken.For(messaging, appId)), channel);
    }

    public void Dispose()
    {
        foreach (var invoker in _invokers.Values.Where(i => i.IsValueCreated))
            invoker.Value.Channel?.Dispose();
    }
}
