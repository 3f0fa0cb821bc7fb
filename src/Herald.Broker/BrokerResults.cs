namespace Herald.Broker;

/// <summary>The outcome of an admin request: Kafka's error code and, when it failed, a message for people.</summary>
public readonly record struct AdminResult(ErrorCode Error, string? Message = null)
{
    /// <summary>Whether the request succeeded.</summary>
    public bool Succeeded => Error == ErrorCode.None;
}

/// <summary>The outcome of a produce request for one partition.</summary>
/// <param name="Error">Kafka's error code.</param>
/// <param name="BaseOffset">The offset given to the first record, or -1.</param>
/// <param name="LogStartOffset">The partition's log start offset, or -1.</param>
/// <param name="Message">What was wrong, for people, when the records were refused; otherwise null.</param>
public readonly record struct ProduceResult(ErrorCode Error, long BaseOffset, long LogStartOffset, string? Message = null);

/// <summary>The outcome of a fetch for one partition.</summary>
/// <param name="Error">Kafka's error code.</param>
/// <param name="BytesWritten">Bytes of whole stored batches written to the destination.</param>
/// <param name="HighWatermark">The offset up to which data is durable and visible to consumers.</param>
/// <param name="LogStartOffset">The first offset the partition holds.</param>
public readonly record struct FetchResult(ErrorCode Error, int BytesWritten, long HighWatermark, long LogStartOffset);

/// <summary>The outcome of a list-offsets lookup for one partition.</summary>
/// <param name="Error">Kafka's error code.</param>
/// <param name="Offset">The offset found, or -1 when no record is at or after the timestamp.</param>
/// <param name="Timestamp">The found record's timestamp for timestamp lookups, otherwise -1.</param>
public readonly record struct OffsetLookup(ErrorCode Error, long Offset, long Timestamp = -1);

/// <summary>A topic as the broker describes it.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Id">The topic id, new for every creation of a name.</param>
/// <param name="Partitions">The partition count.</param>
/// <param name="Config">The effective configuration.</param>
public sealed record TopicDescription(string Name, Guid Id, int Partitions, TopicConfig Config);
