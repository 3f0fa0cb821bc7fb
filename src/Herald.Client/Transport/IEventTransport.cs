namespace Herald.Client.Transport;

/// <summary>
/// Where events go and come from: Herald's broker in this process, or any Kafka cluster (Herald's server included).
/// The SDK's publishing and consuming are written against this, so a service moves between them with no code change.
/// </summary>
public interface IEventTransport : IAsyncDisposable
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

/// <summary>A group member's view of its partitions. Used by one thread at a time.</summary>
public interface ITransportConsumer : IAsyncDisposable
{
    /// <summary>The partitions this member owns now; changes when the group rebalances.</summary>
    IReadOnlyCollection<int> Assignment { get; }

    /// <summary>Records from owned, unpaused partitions, in offset order per partition; empty after <paramref name="timeout"/>.</summary>
    Task<IReadOnlyList<IncomingRecord>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Says that <paramref name="count"/> records of <paramref name="partition"/> handed over are finished with (or were
    /// not taken), making room for as many more. Any thread.
    /// </summary>
    void Finished(int partition, int count);

    /// <summary>Stops fetching a partition (its circuit breaker is open, say) while the member stays in the group.</summary>
    void Pause(int partition);

    /// <summary>Fetches a paused partition again.</summary>
    void Resume(int partition);

    /// <summary>Commits, per partition, the offset of the next record to process.</summary>
    Task CommitAsync(IReadOnlyDictionary<int, long> nextOffsets, CancellationToken cancellationToken);
}

/// <summary>A record to append.</summary>
public sealed record OutgoingRecord(string Topic, string? Key, IReadOnlyList<KeyValuePair<string, byte[]>> Headers, ReadOnlyMemory<byte> Value);

/// <summary>Where a published record landed.</summary>
public readonly record struct PublishResult(int Partition, long Offset);

/// <summary>A record read from a partition.</summary>
public sealed record IncomingRecord(
    string Topic,
    int Partition,
    long Offset,
    string? Key,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    ReadOnlyMemory<byte> Value,
    DateTimeOffset Timestamp);

/// <summary>A partition's committed offset for a group (-1 when none) and its end (the next offset to be written).</summary>
public readonly record struct PartitionPosition(int Partition, long Committed, long End)
{
    /// <summary>Records written but not yet processed by the group.</summary>
    public long Lag => Math.Max(0, End - Math.Max(Committed, 0));
}
