namespace Herald.Storage.Internal;

/// <summary>
/// Walks the records inside one batch, decompressing in a bounded window when it is compressed: the record-level check
/// a produce gets before anything is written, and the timestamp search of offset lookups.
/// </summary>
internal static class BatchRecords
{
    /// <summary>
    /// Checks every record of a batch whose framing and CRC are valid, as Kafka does on produce: lengths, varints, header
    /// counts, offset deltas 0..n-1, the stated record count, and the decompressed size against <paramref name="maxDecompressedBytes"/>.
    /// </summary>
    /// <returns><see cref="BatchError.None"/>, or why the batch is refused with a description in <paramref name="problem"/>.</returns>
    public static unsafe BatchError Check(ReadOnlySpan<byte> batch, in RecordBatchHeader header, int maxDecompressedBytes, out string? problem)
    {
        var section = batch[RecordBatchHeader.Size..];
        var count = header.RecordCount;
        if (header.Compression == CompressionType.None)
        {
            if (count > section.Length / RecordWalker.MinRecordBytes)
            {
                problem = $"the batch declares {count} records but its {section.Length}-byte records section holds at most {section.Length / RecordWalker.MinRecordBytes}";
                return BatchError.MalformedRecords;
            }

            var walker = RecordWalker.Over(section);
            return CheckAll(ref walker, count, out problem);
        }

        fixed (byte* pointer = section)
        {
            var walker = RecordWalker.Inflating(header.Compression, pointer, section.Length, maxDecompressedBytes);
            try
            {
                return CheckAll(ref walker, count, out problem);
            }
            finally
            {
                walker.Dispose();
            }
        }
    }

    /// <summary>
    /// The first record at or after <paramref name="minimumOffset"/> whose timestamp <paramref name="wanted"/> accepts,
    /// in a whole stored batch; null when none is. A batch that cannot be walked answers with its first offset and
    /// newest timestamp, the best there is, and names its problem in <paramref name="problem"/>.
    /// </summary>
    public static unsafe TimestampedOffset? FindFirst(ReadOnlySpan<byte> batch, in RecordBatchHeader header, long minimumOffset, Func<long, bool> wanted, int maxDecompressedBytes, out string? problem)
    {
        problem = null;
        var fallback = new TimestampedOffset(Math.Max(header.BaseOffset, minimumOffset), header.MaxTimestamp);
        if (header.IsLogAppendTime)
        {
            return fallback; // every record carries the batch's time
        }

        var section = batch[RecordBatchHeader.Size..];
        if (header.Compression == CompressionType.None)
        {
            var walker = RecordWalker.Over(section);
            return Find(ref walker, header, minimumOffset, wanted, fallback, out problem);
        }

        fixed (byte* pointer = section)
        {
            var walker = RecordWalker.Inflating(header.Compression, pointer, section.Length, maxDecompressedBytes);
            try
            {
                return Find(ref walker, header, minimumOffset, wanted, fallback, out problem);
            }
            finally
            {
                walker.Dispose();
            }
        }
    }

    private static BatchError CheckAll(ref RecordWalker walker, int count, out string? problem)
    {
        for (var i = 0; i < count; i++)
        {
            if (!walker.TryRead(i, out var stamp))
            {
                return Refused(ref walker, out problem);
            }

            if (stamp.OffsetDelta != i)
            {
                walker.Fail($"record {i} has offset delta {stamp.OffsetDelta}; a produced batch numbers its records 0 to {count - 1}", walker.Position);
                return Refused(ref walker, out problem);
            }
        }

        if (!walker.IsAtEnd())
        {
            if (walker.Problem is null)
            {
                walker.Fail($"bytes follow the {count} records the batch declares", walker.Position);
            }

            return Refused(ref walker, out problem);
        }

        problem = null;
        return BatchError.None;
    }

    private static BatchError Refused(ref RecordWalker walker, out string? problem)
    {
        problem = walker.Problem;
        return walker.ExceededLimit ? BatchError.DecompressedTooLarge : BatchError.MalformedRecords;
    }

    private static TimestampedOffset? Find(ref RecordWalker walker, in RecordBatchHeader header, long minimumOffset, Func<long, bool> wanted, TimestampedOffset fallback, out string? problem)
    {
        for (var i = 0; i < header.RecordCount; i++)
        {
            if (!walker.TryRead(i, out var stamp))
            {
                problem = walker.Problem;
                return fallback;
            }

            var offset = header.BaseOffset + stamp.OffsetDelta;
            var timestamp = header.BaseTimestamp + stamp.TimestampDelta;
            if (offset >= minimumOffset && wanted(timestamp))
            {
                problem = null;
                return new TimestampedOffset(offset, timestamp);
            }
        }

        problem = null;
        return null;
    }
}
