namespace Herald.Client.Transport;

/// <summary>
/// Where events go and come from: Herald's broker in this process, or any Kafka cluster (Herald's server included).
/// The SDK's publishing and consuming are written against this, so a service moves between them with no code change.
/// </summary>
internal interface IEventTransport : IAsyncDisposable
{
    /// <summary>The OpenTelemetry <c>messaging.system</c>: <c>kafka</c>, or <c>herald</c> for the embedded broker.</summary>
    string System { get; }

    /// <summary>Creates the topic if it does not exist, with Kafka topic configs such as <c>retention.bytes</c>.</summary>
    Task EnsureTopicAsync(string topic, int partitions, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? configs = null);

    /// <summary>Appends a record durably (acks=all, idempotent); throws <see cref="PublishException"/> when refused.</summary>
    Task<PublishResult> PublishAsync(OutgoingRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Joins <paramref name="group"/> as a member reading <paramref name="topic"/>. At most
    /// <paramref name="maxBufferedPerPartition"/> records of a partition are handed over and not yet
    /// <see cref="ITransportConsumer.Finished">finished with</see>; 0 sets no limit.
    /// </summary>
    ITransportConsumer Subscribe(string topic, string group, int maxBufferedPerPartition = 0);

    /// <summary>Every record of every partition, from the start to the end as it is now, outside any group.</summary>
    IAsyncEnumerable<IncomingRecord> ReadAllAsync(string topic, CancellationToken cancellationToken);

    /// <summary>The offsets the group has committed and the partitions' ends, for lag.</summary>
    Task<IReadOnlyList<PartitionPosition>> PositionsAsync(string topic, string group, CancellationToken cancellationToken);
}
