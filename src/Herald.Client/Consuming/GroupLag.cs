using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>A group's committed offset (-1 when none) and the end of each partition of a topic.</summary>
public sealed record GroupLag(string Topic, string Group, IReadOnlyList<PartitionPosition> Partitions)
{
    /// <summary>Events written and not yet processed by the group, over all partitions.</summary>
    public long Total => Partitions.Sum(p => p.Lag);
}
