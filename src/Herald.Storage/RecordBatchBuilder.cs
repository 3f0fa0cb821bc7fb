using System.Buffers;
using System.Buffers.Binary;
using Herald.Storage.Internal;

namespace Herald.Storage;

/// <summary>
/// Builds one Kafka RecordBatch v2 at a time: add records, then write the batch, then <see cref="Reset"/> and reuse.
/// Records are encoded as they are added, into a buffer rented from the shared array pool; compression runs once, when
/// the batch is written. Not thread-safe. Dispose returns the buffers.
/// </summary>
public sealed class RecordBatchBuilder : IDisposable
{
    // Holds a typical small batch without growing; larger ones double from here.
    private const int InitialCapacity = 4096;

    // The records buffer starts with room for the header, so that an uncompressed batch is written without a copy.
    private readonly PooledBufferWriter _records = new(InitialCapacity);
    private PooledBufferWriter? _compressed;
    private RecordBatchOptions _options;
    private int _count;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private bool _disposed;

    /// <summary>Creates a builder for batches with the given options, or <see cref="RecordBatchOptions.Default"/>.</summary>
    /// <exception cref="ArgumentException">When the options are invalid.</exception>
    public RecordBatchBuilder(RecordBatchOptions? options = null)
    {
        _options = options ?? RecordBatchOptions.Default;
        _options.Validate();
        ReserveHeader(_records);
    }

    /// <summary>The options of the batch being built.</summary>
    public RecordBatchOptions Options => _options;

    /// <summary>The number of records added since the builder was created or reset.</summary>
    public int Count => _count;

    /// <summary>The size in bytes the batch would have uncompressed, header included; a compressed batch is usually smaller.</summary>
    public int UncompressedSize => _records.WrittenCount;

    /// <summary>
    /// Appends a record. Its offset is the next after the previous record's; its timestamp is stored relative to the
    /// first record's, so timestamps may go backwards. The key, value and headers are copied; the caller may reuse them.
    /// </summary>
    /// <param name="timestamp">Milliseconds since the Unix epoch.</param>
    /// <param name="key">The key, or null. Null is distinct from empty.</param>
    /// <param name="value">The value, or null. Null is distinct from empty.</param>
    /// <param name="headers">The headers, in order; each needs a key.</param>
    /// <remarks>
    /// A null <c>byte[]</c> passed for a key or value converts implicitly to an empty memory, not to null, and so does
    /// the <c>null</c> in a conditional like <c>key is null ? null : (ReadOnlyMemory&lt;byte&gt;)key</c>. Pass a
    /// <c>ReadOnlyMemory&lt;byte&gt;?</c> that is null for a null key or value.
    /// </remarks>
    /// <exception cref="ArgumentException">When a header has a null key. The builder is unchanged.</exception>
    /// <exception cref="InvalidOperationException">When the batch would grow past 2 GiB. The builder is unchanged.</exception>
    public void Add(long timestamp, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, ReadOnlySpan<RecordHeader> headers = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == int.MaxValue)
        {
            throw new InvalidOperationException("A record batch holds at most int.MaxValue records.");
        }

        long baseTimestamp = _count == 0 ? timestamp : _baseTimestamp;
        // Deltas wrap for timestamps more than 2^63 apart; the reader's addition wraps back, so they still round-trip.
        long timestampDelta = timestamp - baseTimestamp;
        long bodySize = RecordEncoder.GetBodySize(timestampDelta, _count, key, value, headers);
        if (_records.WrittenCount + Varint.MaxInt32Length + bodySize > Array.MaxLength)
        {
            throw new InvalidOperationException($"Adding a {bodySize}-byte record would grow the batch past {Array.MaxLength} bytes.");
        }

        int body = (int)bodySize;
        int recordSize = Varint.SizeOf(body) + body;
        var destination = _records.GetSpan(recordSize);
        RecordEncoder.Write(destination, body, timestampDelta, _count, key, value, headers);
        _records.Advance(recordSize);

        if (_count == 0)
        {
            _baseTimestamp = timestamp;
            _maxTimestamp = timestamp;
        }
        else if (timestamp > _maxTimestamp)
        {
            _maxTimestamp = timestamp;
        }

        _count++;
    }

    /// <summary>Writes the complete batch, compressed if the options say so, with its CRC. The builder keeps its records.</summary>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="InvalidOperationException">When no record has been added.</exception>
    public int WriteTo(IBufferWriter<byte> destination)
    {
        var batch = Complete();
        destination.Write(batch);
        return batch.Length;
    }

    /// <summary>Returns the complete batch as a new array. The builder keeps its records.</summary>
    /// <exception cref="InvalidOperationException">When no record has been added.</exception>
    public byte[] ToArray() => Complete().ToArray();

    /// <summary>Discards the records and starts a new batch, with new options or, when null, the current ones. Keeps the buffers.</summary>
    /// <exception cref="ArgumentException">When the options are invalid. The builder is unchanged.</exception>
    public void Reset(RecordBatchOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= _options;
        options.Validate();
        _options = options;
        _records.Clear();
        ReserveHeader(_records);
        _count = 0;
    }

    /// <summary>Returns the pooled buffers. The builder cannot be used afterwards.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _records.Dispose();
        _compressed?.Dispose();
    }

    private static void ReserveHeader(PooledBufferWriter writer)
    {
        writer.GetSpan(RecordBatchHeader.Size);
        writer.Advance(RecordBatchHeader.Size);
    }

    private Span<byte> Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_count == 0)
        {
            throw new InvalidOperationException("A record batch needs at least one record.");
        }

        Span<byte> batch;
        if (_options.Compression == CompressionType.None)
        {
            batch = _records.WrittenSpan;
        }
        else
        {
            _compressed ??= new PooledBufferWriter(InitialCapacity);
            _compressed.Clear();
            ReserveHeader(_compressed);
            RecordCompression.Compress(_options.Compression, _records.WrittenSpan[RecordBatchHeader.Size..], _compressed);
            batch = _compressed.WrittenSpan;
        }

        var header = new RecordBatchHeader
        {
            BaseOffset = _options.BaseOffset,
            BatchLength = batch.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch = _options.PartitionLeaderEpoch,
            Magic = RecordBatchHeader.CurrentMagic,
            Attributes = _options.Attributes,
            LastOffsetDelta = _count - 1,
            BaseTimestamp = _baseTimestamp,
            MaxTimestamp = _options.LogAppendTime ?? _maxTimestamp,
            ProducerId = _options.ProducerId,
            ProducerEpoch = _options.ProducerEpoch,
            BaseSequence = _options.BaseSequence,
            RecordCount = _count,
        };
        header.Write(batch);
        // The CRC covers the header fields after it, so it is computed once they are in place.
        BinaryPrimitives.WriteUInt32BigEndian(batch[RecordBatchHeader.CrcOffset..], RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }
}
