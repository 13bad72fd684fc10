using Chronicle.Contracts;
using Chronicle.Contracts.IntegrationEvents;
using Chronicle.Messaging.Direct;
using Chronicle.Messaging.Publishing;
using Chronicle.Messaging.Receiving;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Chronicle.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// Adds publishing, the app callback and the inbox, choosing the transport from <c>Chronicle:Transport</c>. Consumers and
    /// the outbox relay keep their inbox and checkpoint in the <see cref="Projections.ReadModelDatabase"/> the service registers.
    /// </summary>
    public static MessagingBuilder AddChronicleMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(MessagingOptions.SectionName);
        services.AddOptions<MessagingOptions>().Bind(section)
            .PostConfigure(o =>
            {
                if (string.IsNullOrEmpty(o.Dapr.AppApiToken))
                    o.Dapr.AppApiToken = configuration[AppApiToken.EnvironmentVariable];
            })
            .Validate(o => !string.IsNullOrWhiteSpace(o.AppId), "Chronicle:AppId must name this app.")
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MessagingOptions>, AppApiTokenValidation>());
        services.AddHostedService<MissingAppApiTokenWarning>();
        var catalog = new IntegrationEventCatalog().Include(MessagingIntegrationEventsJsonContext.Catalog());
        var subscriptions = new SubscriptionTable();
        services.AddSingleton(catalog);
        services.AddSingleton(subscriptions);
        services.TryAddSingleton<ITransientFailureClassifier, TransientFailureClassifier>();
        services.AddSingleton<IncomingEventDispatcher>();
        services.AddGrpc();

        if (section.GetValue(nameof(MessagingOptions.Transport), MessagingTransport.Dapr) == MessagingTransport.Direct)
        {
            services.AddSingleton<DirectEventPublisher>();
            services.AddSingleton<IEventPublisher>(provider => provider.GetRequiredService<DirectEventPublisher>());
            services.AddHostedService<DirectDeliveryService>();
        }
        else
        {
            services.TryAddSingleton(provider =>
            {
                var sidecar = provider.GetRequiredService<IOptions<MessagingOptions>>().Value.Dapr;
                var builder = new DaprClientBuilder();
                if (sidecar.GrpcEndpoint is { } endpoint)
                    builder.UseGrpcEndpoint(endpoint);
                if (sidecar.ApiToken is { } token)
                    builder.UseDaprApiToken(token);
                return builder.Build();
            });
            services.AddSingleton<IEventPublisher, DaprEventPublisher>();
        }

        return new MessagingBuilder(services, catalog, subscriptions);
    }

    /// <summary>
    /// <see cref="AddChronicleMessaging(IServiceCollection, IConfiguration)"/> for a service host: the app id defaults to
    /// <paramref name="defaultAppId"/> when <c>Chronicle:AppId</c> is not set, and the direct broker's queue lives in the
    /// service's <paramref name="dataDirectory"/> (not the working directory) unless <c>Chronicle:Direct:QueueDatabase</c> says otherwise.
    /// </summary>
    public static MessagingBuilder AddChronicleMessaging(this IServiceCollection services, IConfiguration configuration,
        string defaultAppId, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultAppId);
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        services.PostConfigure<MessagingOptions>(options =>
        {
            if (string.IsNullOrWhiteSpace(options.AppId))
                options.AppId = defaultAppId;
            options.Direct.QueueDatabase ??= Path.Combine(dataDirectory, "direct-broker.db");
        });
        return services.AddChronicleMessaging(configuration);
    }

    /// <summary>
    /// Serves Dapr's app callback (subscriptions, events, health) on the app's gRPC endpoint. The sidecar (or the direct
    /// transport) calls it without a user's token, so it is exempt from bearer authentication; it is guarded instead by
    /// Dapr's app API token (<see cref="DaprSidecarOptions.AppApiToken"/>): a call without it is UNAUTHENTICATED.
    /// </summary>
    public static IEndpointRouteBuilder MapAppCallback(this IEndpointRouteBuilder endpoints)
    {
        // Events between services and the sidecar's health checks, not anyone's request for patient data: the events a
        // service takes in are audited where they were first asked for, by the service that owns them.
        const string NotPatientData = "Dapr's app callback: the sidecar's subscriptions, event deliveries and health checks.";
        endpoints.MapGrpcService<AppCallbackService>().AllowAnonymous().WithMetadata(new NoPatientDataAttribute(NotPatientData));
        endpoints.MapGrpcService<AppCallbackAlphaService>().AllowAnonymous().WithMetadata(new NoPatientDataAttribute(NotPatientData));
        endpoints.MapGrpcService<AppCallbackHealthCheckService>().AllowAnonymous().WithMetadata(new NoPatientDataAttribute(NotPatientData));
        return endpoints;
    }
}

/// <summary>What an app publishes and what it subscribes to.</summary>
public sealed class MessagingBuilder
{
    private readonly IntegrationEventCatalog _catalog;
    private readonly SubscriptionTable _subscriptions;

    internal MessagingBuilder(IServiceCollection services, IntegrationEventCatalog catalog, SubscriptionTable subscriptions)
    {
        Services = services;
        _catalog = catalog;
        _subscriptions = subscriptions;
    }

    public IServiceCollection Services { get; }

    /// <summary>Makes a set of integration event contracts known, to publish them or to subscribe to them.</summary>
    public MessagingBuilder AddIntegrationEvents(IntegrationEventCatalog catalog)
    {
        _catalog.Include(catalog);
        return this;
    }

    /// <summary>Subscribes to the topic <typeparamref name="TEvent"/>'s contract names, handling that type with <typeparamref name="THandler"/>.</summary>
    public MessagingBuilder Subscribe<TEvent, THandler>()
        where TEvent : class
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        Services.TryAddScoped<THandler>();
        _subscriptions.Add(new HandlerRegistration(_catalog.Get<TEvent>(),
            (provider, body, context, cancellationToken) =>
                provider.GetRequiredService<THandler>().HandleAsync((TEvent)body, context, cancellationToken)));
        return this;
    }

    /// <summary>
    /// Subscribes to <typeparamref name="TEvent"/>'s topic with a handler that takes events in batches: a bulk delivery's
    /// events of that type are handled in one transaction (a single delivery is a batch of one).
    /// </summary>
    public MessagingBuilder SubscribeBatches<TEvent, THandler>()
        where TEvent : class
        where THandler : class, IIntegrationEventBatchHandler<TEvent>
    {
        Services.TryAddScoped<THandler>();
        _subscriptions.Add(new HandlerRegistration(_catalog.Get<TEvent>(), null,
            (provider, items, context, cancellationToken) => provider.GetRequiredService<THandler>().HandleBatchAsync(
                [.. items.Select(item => new BatchedEvent<TEvent>(item))], context, cancellationToken)));
        return this;
    }

    /// <summary>
    /// Declares Dapr bulk subscribe on <typeparamref name="TEvent"/>'s topic: the sidecar (or the direct transport) delivers
    /// up to <see cref="BulkSubscribeOptions.MaxMessagesCount"/> events per OnBulkTopicEventAlpha1 call.
    /// </summary>
    public MessagingBuilder BulkSubscribe<TEvent>(BulkSubscribeOptions? options = null)
        where TEvent : class
    {
        _subscriptions.EnableBulk(_catalog.Get<TEvent>().Topic, options ?? new BulkSubscribeOptions());
        return this;
    }

    /// <summary>Publishes the integration events <typeparamref name="TMapper"/> makes of the service's committed domain events.</summary>
    public MessagingBuilder AddOutboxRelay<TMapper>(OutboxRelayOptions? options = null)
        where TMapper : class, IIntegrationEventMapper
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IIntegrationEventMapper, TMapper>());
        Services.AddSingleton(options ?? new OutboxRelayOptions());
        Services.AddSingleton<OutboxRelay>();
        Services.AddHostedService(provider => provider.GetRequiredService<OutboxRelay>());
        return this;
    }
}
