using System.Diagnostics;
using Herald.Client.Transport;
using Microsoft.Extensions.Options;

namespace Herald.Client;

/// <summary>The publisher behind <see cref="IEventPublisher"/>: envelope, JSON body, a PRODUCER span, the send.</summary>
internal sealed class EventPublisher(TransportProvider transport, EventTypeRegistry types, EventSerializer serializer, TopicMap topics, IOptions<HeraldOptions> options) : IEventPublisher
{
    public Task<EventReceipt> PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken = default)
        where TEvent : notnull => PublishAsync(@event, new PublishOptions(), cancellationToken);

    public async Task<EventReceipt> PublishAsync<TEvent>(TEvent @event, PublishOptions publish, CancellationToken cancellationToken = default)
        where TEvent : notnull
    {
        var events = await transport.GetAsync(cancellationToken).ConfigureAwait(false);
        var (record, metadata) = Prepare(@event, publish);
        await topics.EnsureAsync(events, record.Topic, cancellationToken).ConfigureAwait(false);
        return await SendAsync(events, record, metadata, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<EventReceipt>> PublishBatchAsync<TEvent>(IEnumerable<TEvent> events, PublishOptions? publish = null, CancellationToken cancellationToken = default)
        where TEvent : notnull =>
        PublishAllAsync([.. events.Select(e => new PublishRequest(e, publish ?? new PublishOptions()))], cancellationToken);

    /// <summary>Events of any types, each with its own options and parent span, sent together as a batch is.</summary>
    internal async Task<IReadOnlyList<EventReceipt>> PublishAllAsync(IReadOnlyList<PublishRequest> requests, CancellationToken cancellationToken)
    {
        var target = await transport.GetAsync(cancellationToken).ConfigureAwait(false);
        var prepared = requests.Select(r => (Prepared: Prepare(r.Event, r.Options), r.Parent)).Select(p => (p.Prepared.Record, p.Prepared.Metadata, p.Parent)).ToList();
        foreach (var topic in prepared.Select(p => p.Record.Topic).Distinct())
        {
            await topics.EnsureAsync(target, topic, cancellationToken).ConfigureAwait(false);
        }

        var sends = prepared.Select(p => SendAsync(target, p.Record, p.Metadata, cancellationToken, p.Parent)).ToList();
        try
        {
            return await Task.WhenAll(sends).ConfigureAwait(false);
        }
        catch when (sends.FirstOrDefault(s => s.IsFaulted) is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first.Exception!.InnerException!); // the first refusal, in order
            throw;
        }
    }

    public async Task<RecordReceipt> PublishRawAsync(string topic, string? key, ReadOnlyMemory<byte> value, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var target = await transport.GetAsync(cancellationToken).ConfigureAwait(false);
        await topics.EnsureAsync(target, topic, cancellationToken).ConfigureAwait(false);
        var stored = await target.PublishAsync(new OutgoingRecord(topic, key, headers ?? [], value), cancellationToken).ConfigureAwait(false);
        HeraldTelemetry.Sent.Add(1, HeraldTelemetry.Tags(target.System, topic));
        return new RecordReceipt(topic, stored.Partition, stored.Offset);
    }

    private (OutgoingRecord Record, EventMetadata Metadata) Prepare<TEvent>(TEvent @event, PublishOptions publish)
        where TEvent : notnull
    {
        var info = types.Get(@event.GetType());
        var topic = publish.Topic ?? topics.Find(info.Type)
            ?? throw new InvalidOperationException($"No topic for {info.Type.Name}: map one with MapTopic<{info.Type.Name}>(\"topic\") or pass PublishOptions.Topic.");
        var id = publish.Id ?? Guid.CreateVersion7();
        var handling = EventContext.Current;
        var metadata = new EventMetadata(
            id,
            info.Name,
            options.Value.Source,
            DateTimeOffset.UtcNow,
            publish.Key ?? info.Key?.Invoke(@event),
            publish.CorrelationId ?? handling?.Metadata.CorrelationId ?? id.ToString(),
            publish.CausationId ?? handling?.Metadata.Id.ToString(),
            null,
            null);
        var body = serializer.Serialize(@event, info.Type);
        return (new OutgoingRecord(topic, metadata.Key, [], body), metadata);
    }

    private async Task<EventReceipt> SendAsync(IEventTransport target, OutgoingRecord record, EventMetadata metadata, CancellationToken cancellationToken, ActivityContext parent = default)
    {
        using var activity = HeraldTelemetry.Source.StartActivity($"send {record.Topic}", ActivityKind.Producer, parent);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", target.System);
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.operation.name", "send");
            activity.SetTag("messaging.destination.name", record.Topic);
            activity.SetTag("messaging.message.id", metadata.Id.ToString());
            if (metadata.Key is not null)
            {
                activity.SetTag("messaging.kafka.message.key", metadata.Key);
            }

            metadata = metadata with { TraceParent = activity.Id, TraceState = activity.TraceStateString };
        }
        else if (parent != default)
        {
            // Nobody listens to spans here, but the trace the event belongs to still travels with it.
            var flags = (parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00";
            metadata = metadata with { TraceParent = $"00-{parent.TraceId}-{parent.SpanId}-{flags}", TraceState = parent.TraceState };
        }
        else if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            metadata = metadata with { TraceParent = current.Id, TraceState = current.TraceStateString };
        }

        try
        {
            var stored = await target.PublishAsync(record with { Headers = CloudEventHeaders.Write(metadata) }, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("messaging.destination.partition.id", stored.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
            HeraldTelemetry.Sent.Add(1, HeraldTelemetry.Tags(target.System, record.Topic));
            return new EventReceipt(metadata, record.Topic, stored.Partition, stored.Offset);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity?.SetTag("error.type", exception is PublishException publish ? ((int)publish.ErrorCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : exception.GetType().FullName);
            var tags = HeraldTelemetry.Tags(target.System, record.Topic);
            tags.Add("error.type", exception.GetType().Name);
            HeraldTelemetry.Sent.Add(1, tags);
            throw;
        }
    }
}
