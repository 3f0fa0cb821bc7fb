using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>Timestamp lookups inside one segment: the first record at or after a time, and the record with the newest time.</summary>
internal static class TimestampSearch
{
    /// <summary>The first record at or after <paramref name="timestamp"/>, starting from the time index's hint.</summary>
    public static TimestampedOffset? FindInSegment(LogSegment segment, long timestamp, long minimumOffset)
    {
        var size = segment.Size;
        var position = segment.PositionForTimestamp(timestamp);
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        while (position < size)
        {
            var header = segment.ReadHeader(position, size, scratch);
            if (header.MaxTimestamp >= timestamp && header.LastOffset >= minimumOffset
                && FirstRecordInBatch(segment, position, header, record => record.Timestamp >= timestamp, minimumOffset) is { } found)
            {
                return found;
            }

            position += header.TotalSize;
        }

        return null;
    }

    /// <summary>The first record with the segment's newest timestamp (Kafka's max-timestamp offset), scanning every batch header.</summary>
    public static TimestampedOffset? FindNewestInSegment(LogSegment segment, long minimumOffset)
    {
        var size = segment.Size;
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        (long Position, RecordBatchHeader Header)? newest = null;
        for (var position = 0L; position < size;)
        {
            var header = segment.ReadHeader(position, size, scratch);
            if (header.LastOffset >= minimumOffset && (newest is null || header.MaxTimestamp > newest.Value.Header.MaxTimestamp))
            {
                newest = (position, header);
            }

            position += header.TotalSize;
        }

        if (newest is not { } batch)
        {
            return null;
        }

        var max = batch.Header.MaxTimestamp;
        return FirstRecordInBatch(segment, batch.Position, batch.Header, record => record.Timestamp == max, minimumOffset);
    }

    private static TimestampedOffset? FirstRecordInBatch(LogSegment segment, long position, RecordBatchHeader header, Func<Record, bool> wanted, long minimumOffset)
    {
        if (header.IsLogAppendTime)
        {
            // Every record carries the batch's time.
            return new TimestampedOffset(Math.Max(header.BaseOffset, minimumOffset), header.MaxTimestamp);
        }

        var size = header.TotalSize;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var bytes = buffer.AsSpan(0, size);
            segment.ReadBatch(position, bytes);
            if (RecordBatchHeader.ComputeCrc(bytes) != RecordBatchHeader.Read(bytes).Crc)
            {
                throw new CorruptLogException(segment.FilePath, position, "CRC32C mismatch");
            }

            RecordBatch batch;
            try
            {
                new RecordBatchReader(buffer.AsMemory(0, size), RecordBatchReaderOptions.Default with { VerifyCrc = false }).TryReadNext(out batch);
            }
            catch (InvalidRecordBatchException)
            {
                // Intact on disk but malformed inside, as a producer sent it: the batch is the best answer there is.
                return new TimestampedOffset(Math.Max(header.BaseOffset, minimumOffset), header.MaxTimestamp);
            }

            foreach (var record in batch.Records)
            {
                if (record.Offset >= minimumOffset && wanted(record))
                {
                    return new TimestampedOffset(record.Offset, record.Timestamp);
                }
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
