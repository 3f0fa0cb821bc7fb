namespace Herald.Broker.Internal;

internal sealed record OffsetEntry(string Topic, int Partition, long Offset, string? Metadata);
