using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.Storage;

/// <summary>The storage engine's metrics, under the meter <c>Herald.Storage</c>: how long each segment fsync takes.</summary>
public static class StorageTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string Name = "Herald.Storage";

    internal static readonly Meter Meter = new(Name, typeof(StorageTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Histogram<double> SyncDuration = Meter.CreateHistogram<double>(
        "herald.storage.fsync.duration",
        "s",
        "How long one fdatasync of a segment file took (a group commit's, or a roll's).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });

    internal static void Synced(long startedTimestamp)
    {
        if (SyncDuration.Enabled)
        {
            SyncDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
        }
    }
}
