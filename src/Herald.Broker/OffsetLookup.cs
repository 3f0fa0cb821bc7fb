namespace Herald.Broker;

/// <summary>The outcome of a list-offsets lookup for one partition.</summary>
/// <param name="Error">Kafka's error code.</param>
/// <param name="Offset">The offset found, or -1 when no record is at or after the timestamp.</param>
/// <param name="Timestamp">The found record's timestamp for timestamp lookups, otherwise -1.</param>
public readonly record struct OffsetLookup(ErrorCode Error, long Offset, long Timestamp = -1);
