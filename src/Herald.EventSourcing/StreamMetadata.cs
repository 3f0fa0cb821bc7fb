namespace Herald.EventSourcing;

/// <summary>
/// How much of a stream its readers see: at most the last <see cref="MaxCount"/> events, none older than
/// <see cref="MaxAge"/>, and none before <see cref="TruncateBefore"/>. Versions go on regardless. <c>$all</c> still holds
/// every event: it is the history, which projections rebuild from.
/// </summary>
public sealed record StreamMetadata
{
    /// <summary>Readers see at most this many of the newest events; null for all.</summary>
    public long? MaxCount { get; init; }

    /// <summary>Readers see no event older than this; null for no limit.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Readers see no event below this version; null for none hidden.</summary>
    public long? TruncateBefore { get; init; }
}
