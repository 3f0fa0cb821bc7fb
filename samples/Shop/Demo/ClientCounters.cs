using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Herald.Client;

namespace Shop.Demo;

/// <summary>
/// Listens to Herald.Client's meter in this process: retries, dead letters and duplicates skipped, per consumer group.
/// It reads the same instruments an OpenTelemetry exporter would.
/// </summary>
internal sealed class ClientCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Group), long> _counts = new();

    public ClientCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == HeraldTelemetry.Name && instrument.Name is "herald.client.retries" or "herald.client.dead_lettered" or "herald.client.skipped")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? group = null;
            string? reason = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "messaging.consumer.group.name":
                        group = tag.Value as string;
                        break;
                    case HeraldTelemetry.SkipReason:
                        reason = tag.Value as string;
                        break;
                }
            }

            var name = instrument.Name == "herald.client.skipped" ? $"skipped.{reason}" : instrument.Name;
            _counts.AddOrUpdate((name, group ?? ""), value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public long Retries => Sum("herald.client.retries");

    public long DeadLettered => Sum("herald.client.dead_lettered");

    public long DuplicatesSkipped => Sum("skipped.duplicate");

    public long DuplicatesSkippedBy(string group) => _counts.GetValueOrDefault(("skipped.duplicate", group));

    public void Dispose() => _listener.Dispose();

    private long Sum(string name) => _counts.Where(c => c.Key.Name == name).Sum(c => c.Value);
}
