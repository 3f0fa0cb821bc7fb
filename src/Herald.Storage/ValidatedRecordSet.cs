namespace Herald.Storage;

/// <summary>
/// A record set that <see cref="PartitionLog.Validate"/> found valid, record by record, ready for
/// <see cref="PartitionLog.Append(ValidatedRecordSet)"/>. Only validation makes one, so nothing reaches a log unchecked.
/// It carries the batch headers validation decoded, so nothing after it decodes them again.
/// </summary>
public readonly ref struct ValidatedRecordSet
{
    private readonly RecordBatchHeader _first;

    // Only for record sets of more than one batch (old producers): the usual single batch needs no allocation.
    private readonly RecordBatchHeader[]? _all;

    internal ValidatedRecordSet(Span<byte> bytes, scoped in RecordBatchHeader first, RecordBatchHeader[]? all)
    {
        Bytes = bytes;
        _first = first;
        _all = all;
    }

    internal Span<byte> Bytes { get; }

    /// <summary>The size of the record set in bytes.</summary>
    public int Length => Bytes.Length;

    /// <summary>How many batches it holds: one from any producer that speaks Produce v3 or later.</summary>
    public int BatchCount => _all?.Length ?? 1;

    /// <summary>The header of the first (usually the only) batch, as the producer sent it.</summary>
    public RecordBatchHeader FirstHeader => _first;

    /// <summary>The header of batch <paramref name="index"/>, as the producer sent it.</summary>
    internal RecordBatchHeader HeaderAt(int index) => _all is null ? (index == 0 ? _first : throw new ArgumentOutOfRangeException(nameof(index))) : _all[index];
}
