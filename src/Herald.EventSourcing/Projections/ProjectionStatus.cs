namespace Herald.EventSourcing;

/// <summary>Where a projection is, as its runner last saw it.</summary>
/// <param name="Name">The projection's name.</param>
/// <param name="Version">The version of its code running now.</param>
/// <param name="Phase">What it is doing.</param>
public sealed record ProjectionStatus(string Name, int Version, ProjectionPhase Phase)
{
    /// <summary>The generation being served, or null before the first one has been built.</summary>
    public int? Generation { get; init; }

    /// <summary>The position in <c>$all</c> the served generation reads next.</summary>
    public long Checkpoint { get; init; }

    /// <summary>Events in <c>$all</c> from the checkpoint to the end (filtered out or not).</summary>
    public long LagEvents { get; init; }

    /// <summary>How long ago the oldest event not yet projected was appended; 0 when there is none.</summary>
    public double LagSeconds { get; init; }

    /// <summary>The generation being built beside the served one, while it catches up.</summary>
    public int? RebuildGeneration { get; init; }

    /// <summary>How far the generation being built has got.</summary>
    public long? RebuildCheckpoint { get; init; }

    /// <summary>Events passed over because their types are not registered.</summary>
    public long Skipped { get; init; }

    /// <summary>Why it stopped, while it is <see cref="ProjectionPhase.Faulted"/>.</summary>
    public string? Error { get; init; }

    /// <summary>When this was seen.</summary>
    public DateTimeOffset Updated { get; init; }
}

/// <summary>What a projection is doing.</summary>
public enum ProjectionPhase
{
    /// <summary>Loading its checkpoint.</summary>
    Starting,

    /// <summary>Building its first generation; nothing is served yet.</summary>
    Building,

    /// <summary>Following <c>$all</c>.</summary>
    Live,

    /// <summary>Serving one generation while building the next beside it.</summary>
    Rebuilding,

    /// <summary>Stopped by an error; it tries again with a growing delay.</summary>
    Faulted,
}
