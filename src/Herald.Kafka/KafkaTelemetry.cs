using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.Kafka;

/// <summary>The Kafka listener's metrics, under the meter <c>Herald.Kafka</c>: request latency per API and open connections.</summary>
public static class KafkaTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string Name = "Herald.Kafka";

    internal static readonly Meter Meter = new(Name, typeof(KafkaTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "herald.kafka.request.duration",
        "s",
        "From a request's arrival to its response being written, per Kafka API (a fetch's long poll included).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    internal static readonly UpDownCounter<long> Connections = Meter.CreateUpDownCounter<long>("herald.kafka.connections", "{connection}", "Client connections open now.");

    internal static void Answered(string api, long startedTimestamp)
    {
        if (RequestDuration.Enabled)
        {
            Record(api, startedTimestamp);
        }
    }

    // Apart from the check, so the tag array is made only when someone listens.
    private static void Record(string api, long startedTimestamp) =>
        RequestDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, new KeyValuePair<string, object?>("kafka.api", api));
}
