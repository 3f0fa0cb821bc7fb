using System.ComponentModel.DataAnnotations;

namespace Herald.Client;

/// <summary>
/// The consumer's circuit breaker. When at least <see cref="FailureRatio"/> of the handler attempts in
/// <see cref="SamplingDuration"/> fail with retryable errors (and there were at least <see cref="MinimumThroughput"/>),
/// it opens: every partition is paused, events in hand are held rather than dead-lettered, and after
/// <see cref="BreakDuration"/> one event probes; success closes it and consumption resumes.
/// </summary>
public sealed class CircuitBreakerOptions
{
    /// <summary>Whether the breaker is used. Defaults to true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The failing share of attempts that opens it, above 0 and at most 1. Defaults to 0.5.</summary>
    [Range(1e-9, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>The fewest attempts in the window before it may open, at least 2. Defaults to 20.</summary>
    [Range(2, int.MaxValue)]
    public int MinimumThroughput { get; set; } = 20;

    /// <summary>The window attempts are counted over, at least 500 ms. Defaults to 30 s.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long it stays open before a probe, at least 500 ms. Defaults to 30 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
