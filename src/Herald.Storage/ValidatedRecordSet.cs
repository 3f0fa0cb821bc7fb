namespace Herald.Storage;

/// <summary>
/// A record set that <see cref="PartitionLog.Validate"/> found valid, record by record, ready for
/// <see cref="PartitionLog.Append(ValidatedRecordSet)"/>. Only validation makes one, so nothing reaches a log unchecked.
/// </summary>
public readonly ref struct ValidatedRecordSet
{
    internal ValidatedRecordSet(Span<byte> bytes) => Bytes = bytes;

    internal Span<byte> Bytes { get; }

    /// <summary>The size of the record set in bytes.</summary>
    public int Length => Bytes.Length;
}
