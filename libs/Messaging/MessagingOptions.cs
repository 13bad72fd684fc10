using Chronicle.Contracts.IntegrationEvents;

namespace Chronicle.Messaging;

/// <summary>How events and calls travel: through a Dapr sidecar, or straight between the apps (local runs, tests).</summary>
public enum MessagingTransport
{
    Dapr,
    Direct,
}

/// <summary>
/// The "Chronicle" configuration section. Service code is the same under both transports; only this differs:
/// <c>Chronicle:Transport</c> = dapr | direct, and under direct <c>Chronicle:Apps:{appId}:Grpc</c> addresses.
/// </summary>
public sealed class MessagingOptions
{
    public const string SectionName = "Chronicle";

    /// <summary>This app's id (its Dapr app id): the CloudEvent source of what it publishes and its name as a consumer.</summary>
    public string AppId { get; set; } = "";

    public MessagingTransport Transport { get; set; } = MessagingTransport.Dapr;

    /// <summary>The Dapr pub/sub component's name (the direct transport uses it only as a label).</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary>Where consumers put events they refuse as poison, and the dead-letter topic their subscriptions declare.</summary>
    public string DeadLetterTopic { get; set; } = MessagingTopics.DeadLetter;

    /// <summary>The other apps by app id. Under direct transport each needs its gRPC address; Dapr finds apps itself.</summary>
    public Dictionary<string, AppAddress> Apps { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// By topic, the app id whose events on it are accepted, where the owner runs under another app id than its
    /// contract names (<see cref="IntegrationEventAttribute.Owner"/>).
    /// </summary>
    public Dictionary<string, string> TopicOwners { get; set; } = new(StringComparer.Ordinal);

    public DaprSidecarOptions Dapr { get; set; } = new();

    public DirectTransportOptions Direct { get; set; } = new();
}

public sealed class AppAddress
{
    /// <summary>The app's gRPC (HTTP/2) address, e.g. http://127.0.0.1:5101.</summary>
    public Uri? Grpc { get; set; }

    /// <summary>
    /// Under the direct transport, the app API token that app expects in <c>dapr-api-token</c>, when it differs from this
    /// app's own <see cref="DaprSidecarOptions.AppApiToken"/> (the launcher gives every app the same one).
    /// </summary>
    public string? AppApiToken { get; set; }
}

/// <summary>The sidecar's gRPC endpoint and API token; when unset, the Dapr SDK's defaults (DAPR_GRPC_ENDPOINT, DAPR_API_TOKEN).</summary>
public sealed class DaprSidecarOptions
{
    public string? GrpcEndpoint { get; set; }

    public string? ApiToken { get; set; }

    /// <summary>
    /// Dapr's app API token: the app callback answers only calls that carry it in the <c>dapr-api-token</c> header, so
    /// nothing but the sidecar (or the direct transport, which sends it the same way) can deliver events. Under Dapr it
    /// comes from the <c>APP_API_TOKEN</c> variable the sidecar injector sets from <c>dapr.io/app-token-secret</c>.
    /// Without it the service refuses to start, unless <see cref="AllowMissingAppApiToken"/> is set.
    /// </summary>
    public string? AppApiToken { get; set; }

    /// <summary>
    /// Development only: start without an app API token, leaving the app callback open to anyone who reaches the gRPC
    /// port. Logged as a warning at every start.
    /// </summary>
    public bool AllowMissingAppApiToken { get; set; }
}

/// <summary>The direct transport: a small durable broker in each publishing app that plays the sidecar's part.</summary>
public sealed class DirectTransportOptions
{
    /// <summary>The SQLite file that holds accepted, undelivered events; default data/{AppId}.direct-broker.db.</summary>
    public string? QueueDatabase { get; set; }

    /// <summary>The wait before redelivering after a first RETRY or failed call; it doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The deadline of one OnTopicEvent, bulk or ListTopicSubscriptions call.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public FaultInjectionOptions Faults { get; set; } = new();
}

/// <summary>
/// Faults the direct transport injects so that at-least-once handling is exercised: all off by default.
/// Rates are probabilities per delivery call (0 to 1): a bulk call fails or loses its acknowledgement whole, as a call to
/// a sidecar would, while duplicates are drawn per event.
/// </summary>
public sealed class FaultInjectionOptions
{
    /// <summary>A delivered event is delivered again later.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Due events are taken this many at a time and delivered in random order (0 or 1: in order).</summary>
    public int ReorderWindow { get; set; }

    /// <summary>A delivery fails as if the network did: half before the app sees it, half after (the acknowledgement is lost).</summary>
    public double TransientFailureRate { get; set; }

    /// <summary>Each delivery waits a random time up to this.</summary>
    public TimeSpan MaxDelay { get; set; }

    /// <summary>Makes the fault sequence repeatable.</summary>
    public int? Seed { get; set; }
}
