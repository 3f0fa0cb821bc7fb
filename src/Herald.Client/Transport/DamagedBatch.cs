using System.Text;
using Herald.Storage;

namespace Herald.Client.Transport;

/// <summary>
/// A stored batch whose records cannot be read (a flipped bit, or an older version's malformed batch), handed to the
/// consumer as one record in place of the batch's records: it fails like any unreadable event, so it is dead-lettered
/// with its offsets and problem, and the partition goes on after it instead of stalling on it for good.
/// </summary>
internal static class DamagedBatch
{
    /// <summary>The header that marks such a record, with the problem as its value.</summary>
    public const string Header = "herald-damaged-batch";

    // Enough of the batch to look at in the dead letter, small enough to always fit in one.
    private const int KeptBytes = 64 * 1024;

    // The stand-in takes the batch's last offset, so that handling it commits past the whole batch.
    public static IncomingRecord ToRecord(string topic, int partition, RecordBatchHeader batch, ReadOnlyMemory<byte> bytes, string problem) => new(
        topic,
        partition,
        batch.LastOffset,
        null,
        [new(Header, Encoding.UTF8.GetBytes($"offsets {batch.BaseOffset}..{batch.LastOffset}: {problem}"))],
        bytes[..Math.Min(bytes.Length, KeptBytes)].ToArray(),
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(batch.MaxTimestamp, 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())));
}
