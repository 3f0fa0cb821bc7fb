using System.Diagnostics;
using Herald.Cli.Bench;

namespace Herald.Tests;

/// <summary>The bench's pacing wait: never returns before the time it was given, whether the time is near or far.</summary>
public sealed class PreciseWaitTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(50)]
    [InlineData(400)]
    [InlineData(3_000)]
    public void Until_never_returns_early(int microseconds)
    {
        for (var i = 0; i < 20; i++)
        {
            var target = Stopwatch.GetTimestamp() + (microseconds * Stopwatch.Frequency / 1_000_000);
            PreciseWait.Until(target);
            Assert.True(Stopwatch.GetTimestamp() >= target);
        }
    }

    [Fact]
    public void A_time_already_past_returns_at_once()
    {
        var started = Stopwatch.GetTimestamp();
        PreciseWait.Until(started - Stopwatch.Frequency);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1));
    }
}
