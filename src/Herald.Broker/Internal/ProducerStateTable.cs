namespace Herald.Broker.Internal;

/// <summary>
/// The idempotent producers of one partition, with Kafka's rules: per producer id the current epoch and its last five
/// batches. A batch equal to one of those five is a duplicate and is answered with its original offset; otherwise it
/// must follow the last one (sequence + 1, wrapping at int.MaxValue), or start at 0 in a newer epoch. Not thread-safe:
/// the partition's produce lock guards it together with the append.
/// </summary>
internal sealed class ProducerStateTable
{
    public const int DuplicateWindow = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int Count => _producers.Count;

    /// <summary>Checks a batch before it is appended.</summary>
    /// <returns><see cref="ErrorCode.None"/> to append; <see cref="ErrorCode.DuplicateSequenceNumber"/> with the original
    /// base offset in <paramref name="duplicateOf"/>; or the error to answer.</returns>
    public ErrorCode Check(long producerId, short epoch, int firstSequence, int recordCount, out long duplicateOf)
    {
        duplicateOf = -1;
        if (!_producers.TryGetValue(producerId, out var entry))
        {
            // A producer the partition does not know (new, or whose batches retention removed) may start anywhere.
            return ErrorCode.None;
        }

        if (epoch < entry.Epoch)
        {
            return ErrorCode.InvalidProducerEpoch;
        }

        if (epoch > entry.Epoch)
        {
            return firstSequence == 0 ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
        }

        var lastSequence = LastSequence(firstSequence, recordCount);
        foreach (var batch in entry.Batches)
        {
            if (batch.FirstSequence == firstSequence && batch.LastSequence == lastSequence)
            {
                duplicateOf = batch.BaseOffset;
                return ErrorCode.DuplicateSequenceNumber;
            }
        }

        var expected = entry.Batches.Count == 0 ? firstSequence : NextSequence(entry.Batches[^1].LastSequence);
        return firstSequence == expected ? ErrorCode.None : ErrorCode.OutOfOrderSequenceNumber;
    }

    /// <summary>Records a batch that was appended (or found in the log when rebuilding after a restart).</summary>
    public void Record(long producerId, short epoch, int firstSequence, int recordCount, long baseOffset)
    {
        if (!_producers.TryGetValue(producerId, out var entry) || epoch > entry.Epoch)
        {
            entry = new ProducerEntry(epoch);
            _producers[producerId] = entry;
        }

        if (entry.Batches.Count == DuplicateWindow)
        {
            entry.Batches.RemoveAt(0);
        }

        entry.Batches.Add(new BatchSequence(firstSequence, LastSequence(firstSequence, recordCount), baseOffset));
    }

    private static int LastSequence(int first, int count) => (int)((first + (long)count - 1) % ((long)int.MaxValue + 1));

    private static int NextSequence(int last) => last == int.MaxValue ? 0 : last + 1;

    private sealed class ProducerEntry(short epoch)
    {
        public short Epoch { get; } = epoch;

        public List<BatchSequence> Batches { get; } = new(DuplicateWindow);
    }

    private readonly record struct BatchSequence(int FirstSequence, int LastSequence, long BaseOffset);
}
