namespace Herald.Client;

/// <summary>Publishes events durably (acks=all, idempotent), in the CloudEvents Kafka binding.</summary>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes <paramref name="event"/> to its mapped topic (see <c>HeraldBuilder.MapTopic</c>), keyed by its
    /// <see cref="EventKeyAttribute"/> property or registered key selector. Completes once the broker has stored it.
    /// </summary>
    Task<EventReceipt> PublishAsync<TEvent>(TEvent @event, CancellationToken cancellationToken = default)
        where TEvent : notnull;

    /// <summary>Publishes with an explicit topic, key, correlation or causation (each optional).</summary>
    Task<EventReceipt> PublishAsync<TEvent>(TEvent @event, PublishOptions options, CancellationToken cancellationToken = default)
        where TEvent : notnull;

    /// <summary>
    /// Publishes several events, all sent before any is awaited so they travel together; per-key order is kept. Fails
    /// with the first refusal, after every send has finished.
    /// </summary>
    Task<IReadOnlyList<EventReceipt>> PublishBatchAsync<TEvent>(IEnumerable<TEvent> events, PublishOptions? options = null, CancellationToken cancellationToken = default)
        where TEvent : notnull;

    /// <summary>
    /// Publishes a record's bytes as they are, with no envelope and no serializer: for consumers that are not Herald's,
    /// for records in another format, and for testing how consumers treat records that are not events. Stored the same
    /// way as events (acks=all, idempotent); the topic is created if missing, as for events.
    /// </summary>
    Task<RecordReceipt> PublishRawAsync(string topic, string? key, ReadOnlyMemory<byte> value, IReadOnlyList<KeyValuePair<string, byte[]>>? headers = null, CancellationToken cancellationToken = default);
}

/// <summary>Per-publish choices; anything left null is taken from the event and its registration.</summary>
public sealed record PublishOptions
{
    /// <summary>The topic, instead of the mapped one.</summary>
    public string? Topic { get; init; }

    /// <summary>The ordering key, instead of the event's own.</summary>
    public string? Key { get; init; }

    /// <summary>The correlation id; by default the one of the event being handled, if any, else the new event's id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The causing event's or command's id.</summary>
    public string? CausationId { get; init; }

    /// <summary>The event id, for a caller that must publish the same event again (it then stays idempotent).</summary>
    public Guid? Id { get; init; }
}

/// <summary>What was published and where it was stored.</summary>
public sealed record EventReceipt(EventMetadata Metadata, string Topic, int Partition, long Offset);

/// <summary>Where a record published with <see cref="IEventPublisher.PublishRawAsync"/> was stored.</summary>
public sealed record RecordReceipt(string Topic, int Partition, long Offset);
