namespace Herald.Client;

/// <summary>An event arrived before the ones it follows: version <see cref="Actual"/> where <see cref="Expected"/> is next.</summary>
public sealed class EventTooEarlyException(long expected, long actual)
    : Exception($"Version {actual} arrived while version {expected} is the next to apply; it is held until the gap is filled.")
{
    /// <summary>The next version the state can take.</summary>
    public long Expected { get; } = expected;

    /// <summary>The version that arrived.</summary>
    public long Actual { get; } = actual;
}
