namespace Herald.Storage;

/// <summary>How a partition log makes appended bytes durable. Immutable.</summary>
public sealed record FlushPolicy
{
    /// <summary>Durable before every append completes, with one fdatasync shared by all concurrent appenders.</summary>
    public static FlushPolicy Always { get; } = new() { Mode = FlushMode.Always };

    /// <summary>Never forces appends to disk. A power cut loses whatever the OS had not written back.</summary>
    public static FlushPolicy UnsafeNoForce { get; } = new() { Mode = FlushMode.UnsafeNoForce };

    /// <summary>The flush mode. Defaults to <see cref="FlushMode.Always"/>.</summary>
    public FlushMode Mode { get; init; } = FlushMode.Always;

    /// <summary>With <see cref="FlushMode.Interval"/>: the longest time appended bytes stay unflushed. Defaults to 100 ms.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>With <see cref="FlushMode.Interval"/>: a flush starts once this many bytes are unflushed. Defaults to 16 MiB.</summary>
    public long IntervalBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>A policy that flushes in the background every <paramref name="interval"/> or every <paramref name="bytes"/> unflushed bytes, whichever comes first.</summary>
    public static FlushPolicy EveryInterval(TimeSpan interval, long bytes = 16L * 1024 * 1024) =>
        new() { Mode = FlushMode.Interval, Interval = interval, IntervalBytes = bytes };

    internal void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"Unknown flush mode {Mode}.");
        }

        if (Mode == FlushMode.Interval && (Interval <= TimeSpan.Zero || IntervalBytes <= 0))
        {
            throw new ArgumentException($"An interval flush policy needs a positive interval and byte threshold (got {Interval} and {IntervalBytes} bytes).");
        }
    }
}
