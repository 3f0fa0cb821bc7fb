namespace Herald.Cli.Bench;

/// <summary>Garbage collections in this process since <see cref="Start"/>: how many, and how long they paused it.</summary>
internal sealed record GcReport(int Collections, int Gen2Collections, double PauseMillis)
{
    private static GcReport Now() => new(GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration().TotalMilliseconds);

    /// <summary>A counter to read later with <see cref="Since"/>.</summary>
    public static GcReport Start() => Now();

    /// <summary>What happened between <paramref name="start"/> and now.</summary>
    public static GcReport Since(GcReport start)
    {
        var now = Now();
        return new(now.Collections - start.Collections, now.Gen2Collections - start.Gen2Collections, Math.Round(now.PauseMillis - start.PauseMillis, 1));
    }
}
