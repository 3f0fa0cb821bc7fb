using System.Buffers;
using Herald.Storage;

namespace Herald.Broker;

/// <summary>Reading a partition as records rather than batches: for tools, browsers and admin APIs, not the fetch path.</summary>
public static class RecordReading
{
    /// <summary>
    /// Reads whole stored batches from <paramref name="offset"/> up to <paramref name="maxBytes"/> (at least one batch),
    /// waiting up to <paramref name="maxWait"/> for data, and decodes their records. A damaged batch costs its own records
    /// and no others; an offset retention removed continues at the log start, one past the end at the end.
    /// </summary>
    public static async Task<RecordsRead> ReadRecordsAsync(this HeraldBroker broker, string topic, int partition, long offset, int maxBytes, TimeSpan maxWait = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes, 4096)); // small while a long poll waits; it grows with the data
        var result = await broker.FetchAsync(topic, partition, offset, maxBytes, buffer, maxWait, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Error == ErrorCode.OffsetOutOfRange)
        {
            var start = broker.ListOffset(topic, partition, OffsetQuery.Earliest).Offset;
            return new RecordsRead(ErrorCode.None, [], [], offset < start ? start : broker.ListOffset(topic, partition, OffsetQuery.Latest).Offset, 0);
        }

        if (result.Error != ErrorCode.None)
        {
            return new RecordsRead(result.Error, [], [], offset, 0);
        }

        var records = new List<Record>();
        var damaged = new List<DamagedRange>();
        var next = offset;
        var reader = new RecordBatchReader(buffer.WrittenMemory);
        while (true)
        {
            RecordBatch batch;
            try
            {
                if (!reader.TryReadNext(out batch))
                {
                    break;
                }
            }
            catch (InvalidRecordBatchException exception)
            {
                if (reader.SkipDamaged() is not { } header || header.NextOffset <= next || header.NextOffset > result.HighWatermark)
                {
                    return new RecordsRead(ErrorCode.None, records, damaged, next, buffer.WrittenCount, $"{topic}-{partition} has a damaged batch at offset {next} whose length cannot be trusted, so reading cannot go past it: {exception.Message}");
                }

                damaged.Add(new DamagedRange(header.BaseOffset, header.LastOffset, exception.Message));
                next = header.NextOffset;
                continue;
            }

            foreach (var record in batch.Records)
            {
                if (record.Offset >= offset)
                {
                    records.Add(record);
                }
            }

            next = Math.Max(next, batch.Header.NextOffset);
        }

        return new RecordsRead(ErrorCode.None, records, damaged, next, buffer.WrittenCount);
    }
}
