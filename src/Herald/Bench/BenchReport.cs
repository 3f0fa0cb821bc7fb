using System.Globalization;
using HdrHistogram;

namespace Herald.Cli.Bench;

/// <summary>What a run measured: throughput, and latency percentiles in microseconds.</summary>
internal sealed record BenchReport(
    string Mode,
    string Target,
    long Messages,
    long Failed,
    int Size,
    double Seconds,
    double MessagesPerSecond,
    double MegabytesPerSecond,
    LatencyReport? LatencyMicros)
{
    public static BenchReport From(BenchSettings settings, string target, long messages, long failed, TimeSpan elapsed, HistogramBase? latency)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        return new BenchReport(
            settings.Mode.ToString().ToLowerInvariant(),
            target,
            messages,
            failed,
            settings.Size,
            Math.Round(elapsed.TotalSeconds, 3),
            Math.Round(messages / seconds),
            Math.Round(messages * (double)settings.Size / seconds / (1024 * 1024), 1),
            latency is { TotalCount: > 0 } ? LatencyReport.From(latency) : null);
    }

    public string ToText()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Mode} ({Target}): {Messages:N0} messages of {Size} B in {Seconds:F2} s: {MessagesPerSecond:N0} msgs/s, {MegabytesPerSecond:F1} MB/s");
        if (Failed > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {Failed:N0} failed");
        }

        if (LatencyMicros is { } l)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"\nlatency (µs): p50 {l.P50:N0}, p99 {l.P99:N0}, p99.9 {l.P999:N0}, max {l.Max:N0}");
        }

        return text;
    }
}

/// <summary>Latency percentiles from an HdrHistogram, in microseconds.</summary>
internal sealed record LatencyReport(long P50, long P99, long P999, long Max)
{
    public static LatencyReport From(HistogramBase histogram) => new(
        histogram.GetValueAtPercentile(50),
        histogram.GetValueAtPercentile(99),
        histogram.GetValueAtPercentile(99.9),
        histogram.GetMaxValue());
}
