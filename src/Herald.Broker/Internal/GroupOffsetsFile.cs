namespace Herald.Broker.Internal;

internal sealed record GroupOffsetsFile(int Version, string Group, List<OffsetEntry> Offsets);
