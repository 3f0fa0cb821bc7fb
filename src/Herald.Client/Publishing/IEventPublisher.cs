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
