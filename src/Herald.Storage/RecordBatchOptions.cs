namespace Herald.Storage;

/// <summary>The batch-level fields a <see cref="RecordBatchBuilder"/> writes. Immutable; derive variants with <c>with</c>.</summary>
public sealed record RecordBatchOptions
{
    /// <summary>An uncompressed, non-transactional, non-idempotent CreateTime batch at offset 0.</summary>
    public static RecordBatchOptions Default { get; } = new();

    /// <summary>The codec for the records section. Defaults to <see cref="CompressionType.None"/>.</summary>
    public CompressionType Compression { get; init; } = CompressionType.None;

    /// <summary>The offset of the first record. Defaults to 0; a broker assigns the real offset on append.</summary>
    public long BaseOffset { get; init; }

    /// <summary>The partition leader epoch. Defaults to -1 (unknown); a broker stamps it on append.</summary>
    public int PartitionLeaderEpoch { get; init; } = -1;

    /// <summary>The idempotent producer id. Defaults to -1 (none).</summary>
    public long ProducerId { get; init; } = -1;

    /// <summary>The idempotent producer epoch. Defaults to -1 (none).</summary>
    public short ProducerEpoch { get; init; } = -1;

    /// <summary>The sequence number of the first record. Defaults to -1 (none).</summary>
    public int BaseSequence { get; init; } = -1;

    /// <summary>Whether the batch belongs to a transaction (attribute bit 4). Defaults to false.</summary>
    public bool IsTransactional { get; init; }

    /// <summary>Whether the batch holds transaction control records (attribute bit 5). Defaults to false.</summary>
    public bool IsControl { get; init; }

    /// <summary>
    /// When set, the batch uses LogAppendTime (attribute bit 3): its MaxTimestamp is this value, in milliseconds since
    /// the Unix epoch, and readers report it as every record's timestamp. Defaults to null (CreateTime).
    /// </summary>
    public long? LogAppendTime { get; init; }

    /// <summary>The attributes field these options produce.</summary>
    internal short Attributes =>
        (short)((int)Compression
            | (LogAppendTime.HasValue ? 0x08 : 0)
            | (IsTransactional ? 0x10 : 0)
            | (IsControl ? 0x20 : 0));

    /// <summary>Checks the options once, before any batch is built.</summary>
    /// <exception cref="ArgumentException">When <see cref="Compression"/> is not a known codec.</exception>
    internal void Validate()
    {
        if (Compression > CompressionType.Zstd)
        {
            throw new ArgumentException($"Compression {(int)Compression} is not a known codec.", nameof(Compression));
        }
    }
}
