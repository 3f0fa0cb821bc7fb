using Herald.Broker;
using Herald.Server.Api;
using Herald.Storage;

namespace Herald.Server.Internal;

/// <summary>
/// Reads partitions in turn from their positions towards the ends they had when the scan began, keeping the records a
/// filter matches, until it has enough or has read as many bytes as one request may.
/// </summary>
internal sealed class RecordScan(HeraldBroker broker, RecordFilter filter, int limit, int maxBytes)
{
    private const int ChunkBytes = 1024 * 1024;

    public List<StoredRecordJson> Found { get; } = [];

    public long ScannedRecords { get; private set; }

    public long ScannedBytes { get; private set; }

    /// <summary>Whether the scan stopped on its byte budget rather than on the limit or the ends.</summary>
    public bool Cut { get; private set; }

    public bool Full => Found.Count >= limit;

    /// <summary>Scans one partition from <paramref name="position"/> up to <paramref name="end"/>; returns where it stopped.</summary>
    public async Task<long> ScanAsync(string topic, int partition, long position, long end, CancellationToken cancellationToken)
    {
        while (position < end && !Full)
        {
            var budget = maxBytes - ScannedBytes;
            if (budget <= 0)
            {
                Cut = true;
                break;
            }

            var chunk = await broker.ReadRecordsAsync(topic, partition, position, (int)Math.Min(budget, ChunkBytes), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            if (chunk.Error != ErrorCode.None)
            {
                throw ApiException.From(chunk.Error, $"Reading {topic}-{partition} failed: {chunk.Error}.");
            }

            ScannedBytes += chunk.Bytes;
            var stopped = Keep(topic, partition, chunk.Records, end);
            if (stopped is { } next)
            {
                return next;
            }

            if (chunk.NextOffset <= position)
            {
                return end; // nothing more can be read here: a damaged batch whose length cannot be trusted (chunk.Unreadable)
            }

            position = chunk.NextOffset;
        }

        return position;
    }

    // Returns the offset after the last record kept when the limit was reached mid-chunk, else null.
    private long? Keep(string topic, int partition, IReadOnlyList<Record> records, long end)
    {
        foreach (var record in records)
        {
            if (record.Offset >= end)
            {
                return end;
            }

            ScannedRecords++;
            if (filter.Matches(record))
            {
                Found.Add(RecordView.Show(topic, partition, record));
                if (Full)
                {
                    return record.Offset + 1;
                }
            }
        }

        return null;
    }
}
