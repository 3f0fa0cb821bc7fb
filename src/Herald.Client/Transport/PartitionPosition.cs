namespace Herald.Client.Transport;

/// <summary>A partition's committed offset for a group (-1 when none) and its end (the next offset to be written).</summary>
public readonly record struct PartitionPosition(int Partition, long Committed, long End)
{
    /// <summary>Records written but not yet processed by the group.</summary>
    public long Lag => Math.Max(0, End - Math.Max(Committed, 0));
}
