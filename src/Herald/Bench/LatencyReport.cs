using HdrHistogram;

namespace Herald.Cli.Bench;

/// <summary>Latency percentiles from an HdrHistogram, in microseconds.</summary>
internal sealed record LatencyReport(long P50, long P99, long P999, long Max)
{
    public static LatencyReport From(HistogramBase histogram) => new(
        histogram.GetValueAtPercentile(50),
        histogram.GetValueAtPercentile(99),
        histogram.GetValueAtPercentile(99.9),
        histogram.GetMaxValue());
}
