namespace Herald.EventSourcing;

/// <summary>
/// Where one projection's generations live. A generation is one build of the read model; the live one is served, and
/// at most one more is being built beside it (after a version change or a rebuild request) until it takes over.
/// </summary>
internal interface IProjectionStorage
{
    Task<IReadOnlyList<GenerationInfo>> ListAsync(CancellationToken cancellationToken);

    Task<IProjectionGeneration> OpenAsync(GenerationInfo generation, CancellationToken cancellationToken);

    /// <summary>Starts a new generation of <paramref name="version"/> at position 0, not yet served.</summary>
    Task<IProjectionGeneration> CreateAsync(int version, CancellationToken cancellationToken);

    /// <summary>Serves <paramref name="next"/> instead of <paramref name="previous"/>, and deletes <paramref name="previous"/>.</summary>
    Task TakeOverAsync(IProjectionGeneration next, GenerationInfo? previous, CancellationToken cancellationToken);

    Task DropAsync(GenerationInfo generation, CancellationToken cancellationToken);

}

/// <summary>One build of a projection's read model, and how far into <c>$all</c> it has got.</summary>
internal interface IProjectionGeneration : IAsyncDisposable
{
    GenerationInfo Info { get; }

    /// <summary>Applies <paramref name="events"/> and moves the checkpoint to <paramref name="checkpoint"/>, together or not at all.</summary>
    /// <exception cref="ProjectionConflictException">Another process moved this generation's checkpoint first.</exception>
    Task ApplyAsync(IReadOnlyList<ProjectedEvent> events, long checkpoint, CancellationToken cancellationToken);

    /// <summary>Starts serving this generation's state in this process (a state projection's value; nothing for tables).</summary>
    void Serve();
}

/// <param name="Generation">Its number, increasing with each rebuild.</param>
/// <param name="Version">The projection version that built it.</param>
/// <param name="Checkpoint">The position in <c>$all</c> it will read next.</param>
/// <param name="Live">Whether it is the one being served.</param>
internal sealed record GenerationInfo(int Generation, int Version, long Checkpoint, bool Live);

/// <summary>What a projection's storage can use: the serializer, and where each kind keeps its state.</summary>
internal sealed record ProjectionEnvironment(Herald.Client.EventSerializer Serializer, string StateDirectory, PostgresEventStore? Postgres);

/// <summary>Another process applied events to the same generation first; this one reloads its checkpoint.</summary>
internal sealed class ProjectionConflictException(string message) : Exception(message);
