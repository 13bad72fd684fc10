using System.Globalization;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using Sidecar = Dapr.Client.Autogen.Grpc.v1;

namespace Chronicle.Messaging.Publishing;

/// <summary>
/// Publishes through the Dapr sidecar. A single event goes as the bytes already serialised (source-generated JSON), with
/// the CloudEvent's id, source and type set through Dapr's "cloudevent.*" publish metadata, so the id a consumer
/// deduplicates on is the deterministic one chosen here, not one the sidecar makes up. Several go in one BulkPublishEvent
/// call per topic, each entry a whole CloudEvent (application/cloudevents+json) carrying that same id; bulk publish is not
/// transactional, so entries the sidecar reports failed are named in a <see cref="PartialPublishException"/>.
/// </summary>
public sealed class DaprEventPublisher(DaprClient dapr, IOptions<MessagingOptions> options) : IEventPublisher, IDisposable
{
    private const string CloudEventContentType = "application/cloudevents+json";
    private readonly Lazy<(GrpcChannel Channel, Metadata Headers)> _sidecar = new(() => Connect(options.Value.Dapr));
    private volatile bool _alphaOnly;

    public Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cloudevent.id"] = outgoing.Id,
            ["cloudevent.source"] = outgoing.Source,
            ["cloudevent.type"] = outgoing.Type,
        };
        if (outgoing.TraceParent is { } traceParent)
            metadata["cloudevent." + MessagingTelemetry.TraceParentAttribute] = traceParent;
        return dapr.PublishByteEventAsync(outgoing.PubSubName, outgoing.Topic, outgoing.Data, outgoing.DataContentType,
            metadata, cancellationToken);
    }

    public async Task PublishAllAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var accepted = new List<string>(events.Count);
        foreach (var topic in events.GroupBy(e => (e.PubSubName, e.Topic)))
        {
            var entries = topic.ToList();
            var request = new Sidecar.BulkPublishRequest { PubsubName = topic.Key.PubSubName, Topic = topic.Key.Topic };
            for (var i = 0; i < entries.Count; i++)
            {
                request.Entries.Add(new Sidecar.BulkPublishRequestEntry
                {
                    EntryId = i.ToString(CultureInfo.InvariantCulture), ContentType = CloudEventContentType, Event = CloudEvent(entries[i]),
                });
            }

            Sidecar.BulkPublishResponse response;
            try
            {
                response = await BulkPublishAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (accepted.Count > 0)
            {
                throw new PartialPublishException(accepted, $"Bulk publish to {topic.Key.Topic} failed: {e.Status.Detail}", e);
            }

            var failed = response.FailedEntries.Select(f => int.Parse(f.EntryId, CultureInfo.InvariantCulture)).ToHashSet();
            accepted.AddRange(entries.Where((_, i) => !failed.Contains(i)).Select(e => e.Id));
            if (failed.Count > 0)
            {
                throw new PartialPublishException(accepted,
                    $"The sidecar could not publish {failed.Count} of {entries.Count} events to {topic.Key.Topic}: {response.FailedEntries[0].Error}");
            }
        }
    }

    private async Task<Sidecar.BulkPublishResponse> BulkPublishAsync(Sidecar.BulkPublishRequest request, CancellationToken cancellationToken)
    {
        var (channel, headers) = _sidecar.Value;
        var client = new Sidecar.Dapr.DaprClient(channel);
        if (!_alphaOnly)
        {
            try
            {
                return await client.BulkPublishEventAsync(request, headers, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                // A sidecar from before bulk publish became stable knows only the alpha name.
                _alphaOnly = true;
            }
        }

#pragma warning disable CS0612, CS0618 // the alpha name is obsolete in newer protos but the only one older sidecars serve
        return await client.BulkPublishEventAlpha1Async(request, headers, cancellationToken: cancellationToken).ConfigureAwait(false);
#pragma warning restore CS0612, CS0618
    }

    /// <summary>The event as a structured-mode CloudEvent, its JSON data inline (other content base64), so the sidecar keeps its id.</summary>
    internal static ByteString CloudEvent(OutgoingEvent outgoing)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", outgoing.Id);
            json.WriteString("source", outgoing.Source);
            json.WriteString("type", outgoing.Type);
            json.WriteString("datacontenttype", outgoing.DataContentType);
            if (outgoing.TraceParent is { } traceParent)
                json.WriteString(MessagingTelemetry.TraceParentAttribute, traceParent);
            if (outgoing.DataContentType == OutgoingEvent.JsonContentType)
            {
                json.WritePropertyName("data");
                json.WriteRawValue(outgoing.Data);
            }
            else
            {
                json.WriteBase64String("data_base64", outgoing.Data);
            }

            json.WriteEndObject();
        }

        return ByteString.CopyFrom(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static (GrpcChannel, Metadata) Connect(DaprSidecarOptions sidecar)
    {
        var headers = new Metadata();
        if ((sidecar.ApiToken ?? DaprDefaults.GetDefaultDaprApiToken(null)) is { Length: > 0 } token)
            headers.Add("dapr-api-token", token);
        return (GrpcChannel.ForAddress(sidecar.GrpcEndpoint ?? DaprDefaults.GetDefaultGrpcEndpoint()), headers);
    }

    public void Dispose()
    {
        if (_sidecar.IsValueCreated)
            _sidecar.Value.Channel.Dispose();
    }
}
