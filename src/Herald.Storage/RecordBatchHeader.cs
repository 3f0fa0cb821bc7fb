using System.Buffers.Binary;

namespace Herald.Storage;

/// <summary>
/// The fixed 61-byte header of a Kafka RecordBatch (magic 2), read from or written to its wire position.
/// All multi-byte fields are big-endian. The CRC32C covers everything from <see cref="AttributesOffset"/> to the end of the batch.
/// </summary>
public readonly record struct RecordBatchHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 61;

    /// <summary>Bytes before the part that <see cref="BatchLength"/> counts (baseOffset and batchLength).</summary>
    public const int LogOverhead = 12;

    /// <summary>The only record batch format Herald stores.</summary>
    public const byte CurrentMagic = 2;

    internal const int BaseOffsetOffset = 0;
    internal const int BatchLengthOffset = 8;
    internal const int PartitionLeaderEpochOffset = 12;
    internal const int MagicOffset = 16;
    internal const int CrcOffset = 17;
    internal const int AttributesOffset = 21;
    internal const int LastOffsetDeltaOffset = 23;
    internal const int BaseTimestampOffset = 27;
    internal const int MaxTimestampOffset = 35;
    internal const int ProducerIdOffset = 43;
    internal const int ProducerEpochOffset = 51;
    internal const int BaseSequenceOffset = 53;
    internal const int RecordCountOffset = 57;

    /// <summary>Offset of the first record in the batch.</summary>
    public long BaseOffset { get; init; }

    /// <summary>Length in bytes of everything after the batchLength field.</summary>
    public int BatchLength { get; init; }

    /// <summary>Leader epoch stamped by the broker; -1 when unknown.</summary>
    public int PartitionLeaderEpoch { get; init; }

    /// <summary>Format version; 2 for every batch Herald accepts.</summary>
    public byte Magic { get; init; }

    /// <summary>CRC32C of the bytes from the attributes field to the end of the batch.</summary>
    public uint Crc { get; init; }

    /// <summary>Raw attribute bits: compression (0-2), timestamp type (3), transactional (4), control (5), delete horizon (6).</summary>
    public short Attributes { get; init; }

    /// <summary>Offset of the last record relative to <see cref="BaseOffset"/>.</summary>
    public int LastOffsetDelta { get; init; }

    /// <summary>Timestamp of the first record, in milliseconds since the Unix epoch.</summary>
    public long BaseTimestamp { get; init; }

    /// <summary>Largest record timestamp in the batch, in milliseconds since the Unix epoch.</summary>
    public long MaxTimestamp { get; init; }

    /// <summary>Idempotent producer id, or -1.</summary>
    public long ProducerId { get; init; }

    /// <summary>Idempotent producer epoch, or -1.</summary>
    public short ProducerEpoch { get; init; }

    /// <summary>Sequence number of the first record, or -1.</summary>
    public int BaseSequence { get; init; }

    /// <summary>Number of records in the batch.</summary>
    public int RecordCount { get; init; }

    /// <summary>Total size of the batch on disk and on the wire, header included.</summary>
    public int TotalSize => BatchLength + LogOverhead;

    /// <summary>Offset of the last record in the batch.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>The offset after this batch.</summary>
    public long NextOffset => LastOffset + 1;

    /// <summary>The codec that compressed the records section.</summary>
    public CompressionType Compression => (CompressionType)(Attributes & 0x07);

    /// <summary>Whether record timestamps were set by the broker on append (LogAppendTime) rather than by the producer.</summary>
    public bool IsLogAppendTime => (Attributes & 0x08) != 0;

    /// <summary>Whether the batch belongs to a transaction.</summary>
    public bool IsTransactional => (Attributes & 0x10) != 0;

    /// <summary>Whether the batch holds transaction control records.</summary>
    public bool IsControl => (Attributes & 0x20) != 0;

    /// <summary>Reads the header fields from the first <see cref="Size"/> bytes of <paramref name="source"/>. Performs no validation.</summary>
    /// <exception cref="ArgumentException">When <paramref name="source"/> is shorter than <see cref="Size"/>.</exception>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"A record batch header needs {Size} bytes, got {source.Length}.", nameof(source));
        }

        return new RecordBatchHeader
        {
            BaseOffset = BinaryPrimitives.ReadInt64BigEndian(source[BaseOffsetOffset..]),
            BatchLength = BinaryPrimitives.ReadInt32BigEndian(source[BatchLengthOffset..]),
            PartitionLeaderEpoch = BinaryPrimitives.ReadInt32BigEndian(source[PartitionLeaderEpochOffset..]),
            Magic = source[MagicOffset],
            Crc = BinaryPrimitives.ReadUInt32BigEndian(source[CrcOffset..]),
            Attributes = BinaryPrimitives.ReadInt16BigEndian(source[AttributesOffset..]),
            LastOffsetDelta = BinaryPrimitives.ReadInt32BigEndian(source[LastOffsetDeltaOffset..]),
            BaseTimestamp = BinaryPrimitives.ReadInt64BigEndian(source[BaseTimestampOffset..]),
            MaxTimestamp = BinaryPrimitives.ReadInt64BigEndian(source[MaxTimestampOffset..]),
            ProducerId = BinaryPrimitives.ReadInt64BigEndian(source[ProducerIdOffset..]),
            ProducerEpoch = BinaryPrimitives.ReadInt16BigEndian(source[ProducerEpochOffset..]),
            BaseSequence = BinaryPrimitives.ReadInt32BigEndian(source[BaseSequenceOffset..]),
            RecordCount = BinaryPrimitives.ReadInt32BigEndian(source[RecordCountOffset..]),
        };
    }

    /// <summary>Writes all header fields into the first <see cref="Size"/> bytes of <paramref name="destination"/>, including <see cref="Crc"/> as given.</summary>
    public void Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"A record batch header needs {Size} bytes, got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteInt64BigEndian(destination[BaseOffsetOffset..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[BatchLengthOffset..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(destination[PartitionLeaderEpochOffset..], PartitionLeaderEpoch);
        destination[MagicOffset] = Magic;
        BinaryPrimitives.WriteUInt32BigEndian(destination[CrcOffset..], Crc);
        BinaryPrimitives.WriteInt16BigEndian(destination[AttributesOffset..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(destination[LastOffsetDeltaOffset..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(destination[BaseTimestampOffset..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[MaxTimestampOffset..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[ProducerIdOffset..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(destination[ProducerEpochOffset..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(destination[BaseSequenceOffset..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordCountOffset..], RecordCount);
    }

    /// <summary>Computes the CRC32C of a whole batch, over the bytes the format says it covers.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> batch) =>
        System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, batch[AttributesOffset..]);

    /// <summary>Rewrites the base offset of a batch in place. The CRC does not cover it, so the batch stays valid.</summary>
    public static void SetBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[BaseOffsetOffset..], baseOffset);

    /// <summary>Reads only the base offset of a batch.</summary>
    public static long ReadBaseOffset(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt64BigEndian(batch);

    /// <summary>Reads only the batch length field.</summary>
    public static int ReadBatchLength(ReadOnlySpan<byte> batch) => BinaryPrimitives.ReadInt32BigEndian(batch[BatchLengthOffset..]);
}
