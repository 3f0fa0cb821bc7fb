using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
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

/// <summary>The consumers of this process, for health checks and metrics.</summary>
public sealed class HeraldConsumers
{
    private static readonly ConcurrentDictionary<ConsumerStatus, bool> Everywhere = new(); // every host's, for the process's meter

    private readonly ConcurrentDictionary<string, ConsumerStatus> _byName = new(StringComparer.Ordinal);

    static HeraldConsumers()
    {
        HeraldTelemetry.Meter.CreateObservableGauge("herald.client.consumer.lag", () => Everywhere.Keys.SelectMany(s => s.Partitions.Select(p =>
            new Measurement<long>(p.Lag, HeraldTelemetry.Tags(s.System, s.Topic, s.Group, p.Partition)))), "{message}", "Events written and not yet processed, per group and partition.");
        HeraldTelemetry.Meter.CreateObservableGauge("herald.client.consumer.lag.seconds", () => Everywhere.Keys.SelectMany(s => s.AgeByPartition.Select(p =>
            new Measurement<double>(p.Value.TotalSeconds, HeraldTelemetry.Tags(s.System, s.Topic, s.Group, p.Key)))), "s", "Age of the oldest event read and not yet finished, per group and partition.");
        HeraldTelemetry.Meter.CreateObservableGauge("herald.client.breaker.state", () => Everywhere.Keys.Select(s =>
            new Measurement<int>((int)s.Breaker, HeraldTelemetry.Tags(s.System, s.Topic, s.Group))), "{state}", "0 closed, 1 open, 2 half-open.");
    }

    /// <summary>Every consumer, by <c>topic/group</c>.</summary>
    public IReadOnlyDictionary<string, ConsumerStatus> All => _byName;

    internal ConsumerStatus Register(string name, string topic, string group, string system)
    {
        var status = new ConsumerStatus(topic, group, system);
        _byName[name] = status;
        Everywhere[status] = true;
        return status;
    }

    internal void Unregister(string name)
    {
        if (_byName.TryRemove(name, out var status))
        {
            Everywhere.TryRemove(status, out _);
        }
    }
}
