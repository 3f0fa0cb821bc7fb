using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>How one consumer is doing: its breaker, and its lag as last measured.</summary>
public sealed class ConsumerStatus
{
    internal ConsumerStatus(string topic, string group, string system)
    {
        Topic = topic;
        Group = group;
        System = system;
    }

    /// <summary>The topic consumed.</summary>
    public string Topic { get; }

    /// <summary>The consumer group.</summary>
    public string Group { get; }

    internal string System { get; }

    /// <summary>The circuit breaker's state.</summary>
    public BreakerState Breaker { get; internal set; }

    /// <summary>Per partition: committed offset, end, and lag in events, as last measured.</summary>
    public IReadOnlyList<PartitionPosition> Partitions { get; internal set; } = [];

    /// <summary>Events written and not yet processed by the group, over all partitions.</summary>
    public long Lag => Partitions.Sum(p => p.Lag);

    /// <summary>How long the oldest event this member has read and not finished has been waiting since it was published.</summary>
    public TimeSpan OldestUnfinishedAge => AgeByPartition.Count == 0 ? TimeSpan.Zero : AgeByPartition.Values.Max();

    /// <summary>The same, per partition this member owns: the lag in time, as far as this member has read.</summary>
    public IReadOnlyDictionary<int, TimeSpan> AgeByPartition { get; internal set; } = new Dictionary<int, TimeSpan>();

    /// <summary>
    /// Per partition this member owns: events read and not yet finished (running, or waiting their turn), as last
    /// measured. At most <see cref="ConsumerOptions.MaxBufferedPerPartition"/>.
    /// </summary>
    public IReadOnlyDictionary<int, int> BufferedByPartition { get; internal set; } = new Dictionary<int, int>();

    /// <summary>When lag was last measured, or null before the first measurement.</summary>
    public DateTimeOffset? MeasuredAt { get; internal set; }
}
