using Herald.Storage.Internal;

namespace Herald.Storage;

/// <summary>
/// Checks record batches as they arrive from a producer, as Kafka does before it writes anything: the framing, the CRC,
/// the header fields, and then every record, walked without copying (a compressed batch is inflated through a small
/// window, within a limit). Every size is checked against the bytes actually present before it is used.
/// </summary>
public static class BatchValidator
{
    /// <summary>The most bytes one batch's records may decompress to when a producer sends it: 64 MiB, as the readers allow.</summary>
    public static int MaxDecompressedBytes => RecordBatchReaderOptions.Default.MaxDecompressedBytes;

    /// <summary>
    /// Validates a record set: one or more RecordBatch v2 batches laid end to end, as a producer sends them for one partition.
    /// </summary>
    /// <param name="recordSet">The bytes to check.</param>
    /// <param name="maxBatchBytes">The largest single batch accepted, header included.</param>
    /// <returns><see cref="BatchError.None"/> when every batch is valid; otherwise the first problem found.</returns>
    public static BatchError ValidateRecordSet(ReadOnlySpan<byte> recordSet, int maxBatchBytes) =>
        ValidateRecordSet(recordSet, maxBatchBytes, out _);

    /// <summary>As <see cref="ValidateRecordSet(ReadOnlySpan{byte}, int)"/>, saying what is wrong in <paramref name="problem"/>.</summary>
    public static BatchError ValidateRecordSet(ReadOnlySpan<byte> recordSet, int maxBatchBytes, out string? problem) =>
        ValidateRecordSet(recordSet, maxBatchBytes, out problem, out _, out _);

    /// <summary>Validates, decoding each batch header once, and hands back the headers decoded.</summary>
    internal static BatchError ValidateRecordSet(ReadOnlySpan<byte> recordSet, int maxBatchBytes, out string? problem, out RecordBatchHeader first, out RecordBatchHeader[]? all)
    {
        problem = null;
        first = default;
        all = null;
        if (recordSet.IsEmpty)
        {
            problem = "the record set is empty";
            return BatchError.TooShort;
        }

        List<RecordBatchHeader>? more = null;
        long offsetSpan = 0;
        for (var rest = recordSet; !rest.IsEmpty;)
        {
            var error = ValidateFraming(rest, maxBatchBytes, out var size);
            if (error != BatchError.None)
            {
                problem = DescribeFraming(error, rest, maxBatchBytes);
                return error;
            }

            var batch = rest[..size];
            var header = RecordBatchHeader.Read(batch);
            error = ValidateContents(batch, header);
            if (error != BatchError.None)
            {
                problem = error switch
                {
                    BatchError.CorruptCrc => "the CRC32C does not match the batch",
                    BatchError.UnknownCompression => $"compression codec {(int)header.Compression} does not exist",
                    _ => $"the record count {header.RecordCount} and last offset delta {header.LastOffsetDelta} disagree, or the batch cannot hold that many records",
                };
                return error;
            }

            error = BatchRecords.Check(batch, header, MaxDecompressedBytes, out problem);
            if (error != BatchError.None)
            {
                return error;
            }

            // Offsets within a segment are 32-bit, so one record set must not span more.
            offsetSpan += header.LastOffsetDelta + 1L;
            if (offsetSpan > int.MaxValue)
            {
                problem = "the record set spans more offsets than a segment can address";
                return BatchError.InvalidRecordCount;
            }

            if (rest.Length == recordSet.Length)
            {
                first = header;
            }
            else
            {
                (more ??= [first]).Add(header);
            }

            rest = rest[size..];
        }

        all = more?.ToArray();
        return BatchError.None;
    }

    private static string DescribeFraming(BatchError error, ReadOnlySpan<byte> bytes, int maxBatchBytes) => error switch
    {
        BatchError.TooShort => $"{bytes.Length} bytes are fewer than a batch header's {RecordBatchHeader.Size}",
        BatchError.UnsupportedMagic => $"magic byte {bytes[RecordBatchHeader.MagicOffset]}: only RecordBatch v2 (magic 2) is accepted",
        BatchError.TooLarge => $"the batch is {RecordBatchHeader.ReadBatchLength(bytes) + (long)RecordBatchHeader.LogOverhead} bytes; the topic accepts at most {maxBatchBytes} (max.message.bytes)",
        _ => $"the batch length {RecordBatchHeader.ReadBatchLength(bytes)} disagrees with the {bytes.Length} bytes sent",
    };

    /// <summary>
    /// Checks the framing of the batch at the start of <paramref name="bytes"/>: enough bytes for a header, magic 2,
    /// and a length that is neither too small, too large nor past the end of <paramref name="bytes"/>.
    /// </summary>
    /// <param name="bytes">Bytes starting at a batch boundary; may hold more than one batch.</param>
    /// <param name="maxBatchBytes">The largest batch accepted, header included.</param>
    /// <param name="size">The total size of the batch when the framing is valid.</param>
    public static BatchError ValidateFraming(ReadOnlySpan<byte> bytes, int maxBatchBytes, out int size)
    {
        size = 0;
        if (bytes.Length < RecordBatchHeader.Size)
        {
            return BatchError.TooShort;
        }

        long length = RecordBatchHeader.ReadBatchLength(bytes);
        long total = length + RecordBatchHeader.LogOverhead;
        if (total < RecordBatchHeader.Size)
        {
            return BatchError.LengthMismatch;
        }

        if (bytes[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic)
        {
            return BatchError.UnsupportedMagic;
        }

        if (total > maxBatchBytes)
        {
            return BatchError.TooLarge;
        }

        if (total > bytes.Length)
        {
            return BatchError.LengthMismatch;
        }

        size = (int)total;
        return BatchError.None;
    }

    /// <summary>
    /// Checks the CRC and the header fields of one whole batch whose framing is already known to be valid; the records
    /// themselves are not looked at.
    /// </summary>
    public static BatchError ValidateContents(ReadOnlySpan<byte> batch) => ValidateContents(batch, RecordBatchHeader.Read(batch));

    private static BatchError ValidateContents(ReadOnlySpan<byte> batch, in RecordBatchHeader header)
    {
        if (RecordBatchHeader.ComputeCrc(batch) != header.Crc)
        {
            return BatchError.CorruptCrc;
        }

        if ((int)header.Compression > (int)CompressionType.Zstd)
        {
            return BatchError.UnknownCompression;
        }

        if (header.RecordCount <= 0 || header.LastOffsetDelta != header.RecordCount - 1)
        {
            return BatchError.InvalidRecordCount;
        }

        if (header.Compression == CompressionType.None && header.RecordCount > (batch.Length - RecordBatchHeader.Size) / RecordWalker.MinRecordBytes)
        {
            return BatchError.InvalidRecordCount;
        }

        return BatchError.None;
    }
}
