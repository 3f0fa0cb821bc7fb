using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>Finds the first record at or after a timestamp inside one segment, starting from the time index's hint.</summary>
internal static class TimestampSearch
{
    public static long? FindInSegment(LogSegment segment, long timestamp, long minimumOffset)
    {
        var size = segment.Size;
        var position = segment.PositionForTimestamp(timestamp);
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        while (position < size)
        {
            var header = segment.ReadHeader(position, size, scratch);
            if (header.MaxTimestamp >= timestamp && header.LastOffset >= minimumOffset)
            {
                var found = header.IsLogAppendTime
                    ? Math.Max(header.BaseOffset, minimumOffset)
                    : FirstRecordInBatch(segment, position, header.TotalSize, timestamp, minimumOffset);
                if (found is not null)
                {
                    return found;
                }
            }

            position += header.TotalSize;
        }

        return null;
    }

    private static long? FirstRecordInBatch(LogSegment segment, long position, int size, long timestamp, long minimumOffset)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var bytes = buffer.AsSpan(0, size);
            segment.ReadBatch(position, bytes);
            var header = RecordBatchHeader.Read(bytes);
            if (RecordBatchHeader.ComputeCrc(bytes) != header.Crc)
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
                return Math.Max(header.BaseOffset, minimumOffset);
            }

            foreach (var record in batch.Records)
            {
                if (record.Offset >= minimumOffset && record.Timestamp >= timestamp)
                {
                    return record.Offset;
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
