using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Herald.Storage.Internal;

/// <summary>Timestamp lookups inside one segment: the first record at or after a time, and the record with the newest time.</summary>
internal static class TimestampSearch
{
    /// <summary>The first record at or after <paramref name="timestamp"/>, starting from the time index's hint.</summary>
    public static TimestampedOffset? FindInSegment(LogSegment segment, long timestamp, long minimumOffset, ILogger logger)
    {
        var size = segment.Size;
        var position = segment.PositionForTimestamp(timestamp);
        Span<byte> scratch = stackalloc byte[RecordBatchHeader.Size];
        while (position < size)
        {
            var header = segment.ReadHeader(position, size, scratch);
            if (header.MaxTimestamp >= timestamp && header.LastOffset >= minimumOffset
                && FirstRecordInBatch(segment, position, header, time => time >= timestamp, minimumOffset, logger) is { } found)
            {
                return found;
            }

            position += header.TotalSize;
        }

        return null;
    }

    /// <summary>The first record with the segment's newest timestamp (Kafka's max-timestamp offset), scanning every batch header.</summary>
    public static TimestampedOffset? FindNewestInSegment(LogSegment segment, long minimumOffset, ILogger logger)
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
        return FirstRecordInBatch(segment, batch.Position, batch.Header, time => time == max, minimumOffset, logger);
    }

    private static TimestampedOffset? FirstRecordInBatch(LogSegment segment, long position, RecordBatchHeader header, Func<long, bool> wanted, long minimumOffset, ILogger logger)
    {
        if (header.IsLogAppendTime)
        {
            // Every record carries the batch's time.
            return new TimestampedOffset(Math.Max(header.BaseOffset, minimumOffset), header.MaxTimestamp);
        }

        var size = header.TotalSize;
        using var buffer = new ReadBuffer(size);
        var bytes = buffer.Span;
        segment.ReadBatch(position, bytes);
        string? problem;
        TimestampedOffset? found;
        if (RecordBatchHeader.ComputeCrc(bytes) != header.Crc)
        {
            problem = "CRC32C mismatch";
            found = new TimestampedOffset(Math.Max(header.BaseOffset, minimumOffset), header.MaxTimestamp);
        }
        else
        {
            found = BatchRecords.FindFirst(bytes, header, minimumOffset, wanted, BatchValidator.MaxDecompressedBytes, out problem);
        }

        // The damage is the batch's alone: the lookup answers with it and the partition goes on; fetch still serves it
        // as stored, for readers to report.
        if (problem is not null)
        {
            Log.DamagedBatchInLookup(logger, segment.FilePath, position, problem);
        }

        return found;
    }

    /// <summary>A batch's bytes: pooled when small, otherwise allocated, so that one huge batch does not stay in the pool.</summary>
    private readonly ref struct ReadBuffer
    {
        private const int PooledUpTo = 1024 * 1024;
        private readonly byte[] _array;
        private readonly bool _pooled;

        public ReadBuffer(int size)
        {
            _pooled = size <= PooledUpTo;
            _array = _pooled ? ArrayPool<byte>.Shared.Rent(size) : GC.AllocateUninitializedArray<byte>(size);
            Span = _array.AsSpan(0, size);
        }

        public Span<byte> Span { get; }

        public void Dispose()
        {
            if (_pooled)
            {
                ArrayPool<byte>.Shared.Return(_array);
            }
        }
    }
}
