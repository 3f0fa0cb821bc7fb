using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Herald.Client;

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
