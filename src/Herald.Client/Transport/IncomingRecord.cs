namespace Herald.Client.Transport;

/// <summary>A record read from a partition.</summary>
public sealed record IncomingRecord(
    string Topic,
    int Partition,
    long Offset,
    string? Key,
    IReadOnlyList<KeyValuePair<string, byte[]>> Headers,
    ReadOnlyMemory<byte> Value,
    DateTimeOffset Timestamp);
