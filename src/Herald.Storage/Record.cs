namespace Herald.Storage;

/// <summary>
/// One record of a batch, with its absolute offset and timestamp. A null key or value is distinct from an empty one.
/// Keys and values read from a batch share memory with the bytes they were read from (or with the batch's
/// decompressed records); equality compares those buffers, not their contents.
/// </summary>
public readonly record struct Record
{
    private readonly IReadOnlyList<RecordHeader>? _headers;

    /// <summary>Creates a record.</summary>
    public Record(long offset, long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers)
    {
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        Value = value;
        _headers = headers;
    }

    /// <summary>The offset of the record in its partition.</summary>
    public long Offset { get; init; }

    /// <summary>Milliseconds since the Unix epoch: the producer's create time, or the broker's append time for LogAppendTime batches.</summary>
    public long Timestamp { get; init; }

    /// <summary>The key, or null.</summary>
    public ReadOnlyMemory<byte>? Key { get; init; }

    /// <summary>The value, or null (a tombstone in a compacted topic).</summary>
    public ReadOnlyMemory<byte>? Value { get; init; }

    /// <summary>The headers in wire order; empty, never null.</summary>
    public IReadOnlyList<RecordHeader> Headers
    {
        get => _headers ?? [];
        init => _headers = value;
    }
}
