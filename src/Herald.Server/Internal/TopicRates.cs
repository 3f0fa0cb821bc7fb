using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace Herald.Server.Internal;

/// <summary>
/// Messages and bytes per second per topic, from the partitions' end offsets and sizes sampled every
/// <see cref="Interval"/>, with the last ten minutes of the totals kept for the console's chart.
/// </summary>
internal sealed class TopicRates(BrokerService broker, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private const int HistoryLength = 120;

    private readonly ConcurrentDictionary<string, TopicRate> _rates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Records, long Bytes)> _previous = new(StringComparer.Ordinal);
    private readonly Queue<RateSample> _history = new();
    private long _previousAt;

    /// <summary>A topic's rates over the last interval; zero until two samples were taken.</summary>
    public TopicRate For(string topic) => _rates.GetValueOrDefault(topic);

    /// <summary>All topics' rates summed, oldest first, one sample per interval.</summary>
    public IReadOnlyList<RateSample> History()
    {
        lock (_history)
        {
            return [.. _history];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            if (broker.IsOpen)
            {
                Sample();
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Sample()
    {
        var now = time.GetTimestamp();
        var seconds = _previousAt == 0 ? 0 : time.GetElapsedTime(_previousAt, now).TotalSeconds;
        double totalRecords = 0, totalBytes = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in broker.Broker.ListTopics())
        {
            if (broker.Broker.DescribePartitions(topic.Name) is not { } partitions)
            {
                continue;
            }

            long records = 0, bytes = 0;
            foreach (var partition in partitions)
            {
                records += partition.EndOffset;
                bytes += partition.SizeBytes;
            }

            seen.Add(topic.Name);
            if (seconds > 0 && _previous.TryGetValue(topic.Name, out var before))
            {
                // Retention shrinks the size between samples; a rate never goes below zero for it.
                var rate = new TopicRate(Math.Max(0, records - before.Records) / seconds, Math.Max(0, bytes - before.Bytes) / seconds);
                _rates[topic.Name] = rate;
                totalRecords += rate.RecordsPerSecond;
                totalBytes += rate.BytesPerSecond;
            }

            _previous[topic.Name] = (records, bytes);
        }

        foreach (var gone in _previous.Keys.Where(name => !seen.Contains(name)).ToList())
        {
            _previous.Remove(gone);
            _rates.TryRemove(gone, out _);
        }

        _previousAt = now;
        if (seconds > 0)
        {
            lock (_history)
            {
                _history.Enqueue(new RateSample(time.GetUtcNow(), totalRecords, totalBytes));
                while (_history.Count > HistoryLength)
                {
                    _history.Dequeue();
                }
            }
        }
    }
}

/// <summary>A topic's throughput over the last sampling interval.</summary>
internal readonly record struct TopicRate(double RecordsPerSecond, double BytesPerSecond);

/// <summary>All topics' throughput at one moment.</summary>
internal sealed record RateSample(DateTimeOffset At, double RecordsPerSecond, double BytesPerSecond);
