using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Herald.Client;
using Microsoft.Extensions.Hosting;

namespace Shop.Common;

/// <summary>
/// This service's retries, dead letters and skipped duplicates, from Herald.Client's meter: the instruments an
/// OpenTelemetry exporter reads. Only this service's own consumer groups count, so services that share a process
/// (herald demo) each report their own.
/// </summary>
public sealed class ConsumerCounters(HeraldConsumers consumers) : IHostedService, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public long Retries => _counts.GetValueOrDefault("herald.client.retries");

    public long DeadLettered => _counts.GetValueOrDefault("herald.client.dead_lettered");

    public long DuplicatesSkipped => _counts.GetValueOrDefault("duplicate");

    public Task StartAsync(CancellationToken cancellationToken)
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
                if (tag.Key == "messaging.consumer.group.name")
                {
                    group = tag.Value as string;
                }
                else if (tag.Key == HeraldTelemetry.SkipReason)
                {
                    reason = tag.Value as string;
                }
            }

            if (group is not null && consumers.All.Keys.Any(name => name.EndsWith($"/{group}", StringComparison.Ordinal)))
            {
                _counts.AddOrUpdate(instrument.Name == "herald.client.skipped" ? reason ?? "skipped" : instrument.Name, value, (_, total) => total + value);
            }
        });
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();
}
