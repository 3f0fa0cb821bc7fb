using System.Globalization;
using HdrHistogram;

namespace Herald.Cli.Bench;

/// <summary>
/// What a run measured: throughput, latency percentiles in microseconds, and this process's garbage collections during
/// the run (with --embedded the broker's too), which explain many latency tails.
/// </summary>
internal sealed record BenchReport(
    string Mode,
    string Target,
    long Messages,
    long Failed,
    int Size,
    double Seconds,
    double MessagesPerSecond,
    double MegabytesPerSecond,
    LatencyReport? LatencyMicros,
    GcReport Gc)
{
    public static BenchReport From(BenchSettings settings, string target, long messages, long failed, TimeSpan elapsed, HistogramBase? latency, GcReport gc)
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
            latency is { TotalCount: > 0 } ? LatencyReport.From(latency) : null,
            gc);
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

        text += string.Create(CultureInfo.InvariantCulture, $"\ngc: {Gc.Collections:N0} collections ({Gc.Gen2Collections:N0} gen2), {Gc.PauseMillis:N1} ms paused");
        return text;
    }
}
