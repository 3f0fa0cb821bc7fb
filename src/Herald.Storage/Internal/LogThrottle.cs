namespace Herald.Storage.Internal;

/// <summary>
/// Lets a repeating warning through at most once per interval and counts the ones held back, so that a failure
/// hit by every request (a full disk, say) is logged without flooding the log. Thread-safe.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    private long _nextMs = long.MinValue;
    private int _suppressed;

    /// <summary>Whether to log now; if so, <paramref name="suppressed"/> says how many were held back since the last.</summary>
    public bool ShouldLog(out int suppressed)
    {
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _nextMs);
        if (now < next || Interlocked.CompareExchange(ref _nextMs, now + (long)interval.TotalMilliseconds, next) != next)
        {
            Interlocked.Increment(ref _suppressed);
            suppressed = 0;
            return false;
        }

        suppressed = Interlocked.Exchange(ref _suppressed, 0);
        return true;
    }
}
