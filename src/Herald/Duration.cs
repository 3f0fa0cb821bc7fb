namespace Herald.Cli;

/// <summary>A duration, shown in help as people write it (30s, 10m).</summary>
internal readonly record struct Duration(TimeSpan Value)
{
    /// <summary>No limit: Kafka's -1.</summary>
    public static Duration Forever { get; } = new(Timeout.InfiniteTimeSpan);

    public override string ToString() => this == Forever ? "forever" : HumanUnits.FormatDuration(Value);
}
