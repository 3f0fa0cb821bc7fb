namespace Herald.Storage;

/// <summary>A record header: a UTF-8 key and an optional value. A null value is distinct from an empty one.</summary>
/// <param name="Key">The header key. Kafka requires one; it may repeat within a record.</param>
/// <param name="Value">The header value, or null. Equality compares the buffer, not its contents.</param>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);
