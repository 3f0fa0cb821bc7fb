using Herald.Storage.Internal;

namespace Herald.Storage;

/// <summary>
/// Reads record batches laid end to end (a log segment slice, a produce request's record set, a fetch response's
/// records) one at a time, decompressing and decoding their records. Malformed input fails with
/// <see cref="InvalidRecordBatchException"/>; every length is checked against the bytes present before it is used.
/// Not the hot path: it favours clarity, and allocates the records it returns. Not thread-safe.
/// </summary>
/// <remarks>
/// Keys and values of an uncompressed batch are slices of the input, which must therefore outlive them. Those of a
/// compressed batch live in one array per batch holding its decompressed records.
/// </remarks>
public sealed class RecordBatchReader
{
    private readonly ReadOnlyMemory<byte> _source;
    private readonly RecordBatchReaderOptions _options;
    private int _position;

    /// <summary>Creates a reader over <paramref name="source"/>, which holds zero or more whole batches.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the options are invalid.</exception>
    public RecordBatchReader(ReadOnlyMemory<byte> source, RecordBatchReaderOptions? options = null)
    {
        _options = options ?? RecordBatchReaderOptions.Default;
        _options.Validate();
        _source = source;
    }

    /// <summary>The byte where the next batch starts. After a failed read it stays at the start of the bad batch.</summary>
    public int Position => _position;

    /// <summary>Reads every batch in <paramref name="source"/>.</summary>
    /// <exception cref="InvalidRecordBatchException">When any batch is malformed.</exception>
    public static IReadOnlyList<RecordBatch> ReadAll(ReadOnlyMemory<byte> source, RecordBatchReaderOptions? options = null)
    {
        var reader = new RecordBatchReader(source, options);
        var batches = new List<RecordBatch>();
        while (reader.TryReadNext(out var batch))
        {
            batches.Add(batch);
        }

        return batches;
    }

    /// <summary>Reads the next batch.</summary>
    /// <returns>False when the input is exhausted.</returns>
    /// <exception cref="InvalidRecordBatchException">When the next batch is truncated, inconsistent or corrupt.</exception>
    /// <exception cref="DecompressionLimitExceededException">When its records decompress to more than the options allow.</exception>
    public bool TryReadNext(out RecordBatch batch)
    {
        if (_position == _source.Length)
        {
            batch = default;
            return false;
        }

        int start = _position;
        var remaining = _source.Span[start..];
        if (remaining.Length < RecordBatchHeader.Size)
        {
            throw Error(start, $"truncated batch: {remaining.Length} bytes left, a batch header needs {RecordBatchHeader.Size}");
        }

        var header = RecordBatchHeader.Read(remaining);
        if (header.Magic != RecordBatchHeader.CurrentMagic)
        {
            throw Error(start, $"magic {header.Magic} is not {RecordBatchHeader.CurrentMagic}; only RecordBatch v2 is supported");
        }

        long size = (long)header.BatchLength + RecordBatchHeader.LogOverhead;
        if (size < RecordBatchHeader.Size)
        {
            throw Error(start, $"batch length {header.BatchLength} is shorter than a batch header");
        }

        if (size > remaining.Length)
        {
            throw Error(start, $"truncated batch: batch length {header.BatchLength} needs {size} bytes, {remaining.Length} left");
        }

        var bytes = _source.Slice(start, (int)size);
        if (_options.VerifyCrc)
        {
            uint crc = RecordBatchHeader.ComputeCrc(bytes.Span);
            if (crc != header.Crc)
            {
                throw Error(start, $"CRC32C mismatch: the header says 0x{header.Crc:X8}, the contents hash to 0x{crc:X8}");
            }
        }

        if (header.Compression > CompressionType.Zstd)
        {
            throw Error(start, $"unknown compression codec {(int)header.Compression}");
        }

        if (header.RecordCount < 0)
        {
            throw Error(start, $"negative record count {header.RecordCount}");
        }

        var section = bytes[RecordBatchHeader.Size..];
        var records = header.Compression == CompressionType.None
            ? RecordsDecoder.Decode(section, header, new SectionLocation(start, start + RecordBatchHeader.Size, Decompressed: false))
            : RecordsDecoder.Decode(Decompress(section.Span, header.Compression, start), header, new SectionLocation(start, 0, Decompressed: true));

        _position = start + (int)size;
        batch = new RecordBatch(header, records);
        return true;
    }

    /// <summary>
    /// After <see cref="TryReadNext"/> failed, steps over the batch it failed on, so that reading can go on after a damaged
    /// batch, when the batch's header still says where it ends within the input.
    /// </summary>
    /// <returns>
    /// The damaged batch's header (its offsets say which records are lost); null when its header cannot be trusted:
    /// its length runs past the input, its record count and last offset delta disagree, or its offsets run into the
    /// batch after it. Readers must also not follow its offsets past the partition's end.
    /// </returns>
    public RecordBatchHeader? SkipDamaged()
    {
        var remaining = _source.Span[_position..];
        if (remaining.Length < RecordBatchHeader.Size)
        {
            return null;
        }

        var header = RecordBatchHeader.Read(remaining);
        long size = (long)header.BatchLength + RecordBatchHeader.LogOverhead;
        if (header.Magic != RecordBatchHeader.CurrentMagic || size < RecordBatchHeader.Size || size > remaining.Length
            || header.LastOffsetDelta < 0 || header.LastOffsetDelta != header.RecordCount - 1)
        {
            return null;
        }

        var next = remaining[(int)size..];
        if (next.Length >= RecordBatchHeader.Size && RecordBatchHeader.ReadBaseOffset(next) < header.NextOffset)
        {
            return null; // its last offset delta would skip records of the next batch, so it is damaged too
        }

        _position += (int)size;
        return header;
    }

    private byte[] Decompress(ReadOnlySpan<byte> section, CompressionType compression, int batchPosition)
    {
        int limit = _options.MaxDecompressedBytes;
        // Compressed records rarely shrink more than fourfold; the guess only saves regrowing.
        int initialCapacity = (int)Math.Clamp(section.Length * 4L, 256, Math.Max(limit, 256));
        using var buffer = new PooledBufferWriter(initialCapacity);
        bool withinLimit;
        try
        {
            withinLimit = RecordCompression.TryDecompress(compression, section, buffer, limit);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Codec libraries report corrupt input in many ways (InvalidDataException, EndOfStreamException, their own types).
            throw new InvalidRecordBatchException(
                $"Invalid record batch at byte {batchPosition}: its {compression} records section cannot be decompressed: {e.Message}",
                batchPosition,
                e);
        }

        if (!withinLimit)
        {
            throw new DecompressionLimitExceededException(
                $"Invalid record batch at byte {batchPosition}: its {compression} records section decompresses to more than {limit} bytes.",
                batchPosition,
                limit);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static InvalidRecordBatchException Error(int position, string problem) =>
        new($"Invalid record batch at byte {position}: {problem}.", position);
}
