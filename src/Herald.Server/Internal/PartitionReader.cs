using System.Buffers;
using Herald.Broker;
using Herald.Storage;

namespace Herald.Server.Internal;

/// <summary>Reads a bounded run of records from one partition, stepping over damaged batches and data retention removed.</summary>
internal static class PartitionReader
{
    public static async Task<PartitionChunk> ReadAsync(HeraldBroker broker, string topic, int partition, long offset, int maxBytes, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(maxBytes, 64 * 1024));
        var result = await broker.FetchAsync(topic, partition, offset, maxBytes, buffer, maxWait, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Error == ErrorCode.OffsetOutOfRange)
        {
            // Retention removed it, or the offset is past the end: go on from what is there.
            var start = broker.ListOffset(topic, partition, OffsetQuery.Earliest).Offset;
            return new PartitionChunk(ErrorCode.None, [], offset < start ? start : broker.ListOffset(topic, partition, OffsetQuery.Latest).Offset, 0);
        }

        if (result.Error != ErrorCode.None)
        {
            return new PartitionChunk(result.Error, [], offset, 0);
        }

        var records = new List<Record>();
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
            catch (InvalidRecordBatchException)
            {
                // A damaged batch costs its own records and no others, as long as its length can be trusted.
                if (reader.SkipDamaged() is not { } header || header.NextOffset <= next)
                {
                    break;
                }

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

        return new PartitionChunk(ErrorCode.None, records, next, buffer.WrittenCount);
    }
}

/// <summary>Records read from a partition, where the next read starts, and how many stored bytes it took.</summary>
internal sealed record PartitionChunk(ErrorCode Error, List<Record> Records, long NextOffset, int Bytes);
