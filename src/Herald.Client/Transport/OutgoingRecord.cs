namespace Herald.Client.Transport;

/// <summary>A record to append.</summary>
internal sealed record OutgoingRecord(string Topic, string? Key, IReadOnlyList<KeyValuePair<string, byte[]>> Headers, ReadOnlyMemory<byte> Value);
