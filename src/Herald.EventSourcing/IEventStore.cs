namespace Herald.EventSourcing;

/// <summary>
/// Streams of events with expected versions, and one global order over all of them (<c>$all</c>). Embedded on
/// Herald.Storage, or on PostgreSQL; both pass the same compliance suite.
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>
    /// Appends <paramref name="events"/> to <paramref name="streamId"/>, all or none, if the stream is where
    /// <paramref name="expected"/> says. Events already stored with the same ids at the same place are recognised: the
    /// original result is returned and nothing is written again; a request that goes on past them writes the rest.
    /// Completes once the events are durable.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The stream is elsewhere; nothing was written.</exception>
    /// <exception cref="StreamDeletedException">The stream was deleted for good.</exception>
    Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads one stream from <paramref name="fromVersion"/> (inclusive; for backwards reads null means the end), at most
    /// <paramref name="maxCount"/> events. A stream that does not exist reads as empty.
    /// </summary>
    /// <exception cref="StreamDeletedException">The stream was deleted for good.</exception>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, Direction direction = Direction.Forwards, long? fromVersion = null, long maxCount = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads <c>$all</c> forwards from <paramref name="fromPosition"/> (inclusive), the events that pass
    /// <paramref name="filter"/>, up to what is durable now. It never skips an event that becomes visible later.
    /// </summary>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// The position up to which <c>$all</c> is complete now: every event below it can be read, and an event that
    /// becomes readable later has a position at or above it. Reading <c>$all</c> up to here and going on from here later
    /// misses nothing.
    /// </summary>
    Task<long> GetEndPositionAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads <c>$all</c> from <paramref name="fromPosition"/> and then goes on live, until cancelled: history first, then
    /// each event as it becomes durable, with no gap and no repeat between the two. It is pulled, so a slow reader holds
    /// the store back by nothing. Resume after a crash from the position after the last one handled.
    /// </summary>
    IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="SubscribeToAllAsync"/>, for one stream from <paramref name="fromVersion"/>.</summary>
    IAsyncEnumerable<RecordedEvent> SubscribeToStreamAsync(string streamId, long fromVersion = 0, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps <paramref name="snapshot"/> as the latest of <paramref name="streamId"/>, replacing an older one. Snapshots
    /// are not events: they are in no stream and not in <c>$all</c>.
    /// </summary>
    Task SaveSnapshotAsync(string streamId, Snapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>The latest snapshot of <paramref name="streamId"/>, or null when it has none.</summary>
    Task<Snapshot?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="streamId"/> softly: it reads as empty and lists no more, but an append brings it back, its
    /// versions going on from where they were. Its events stay in <c>$all</c>.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The stream is not where <paramref name="expected"/> says.</exception>
    Task DeleteStreamAsync(string streamId, ExpectedVersion expected, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="streamId"/> for good: every later read or append throws <see cref="StreamDeletedException"/>.</summary>
    /// <exception cref="WrongExpectedVersionException">The stream is not where <paramref name="expected"/> says.</exception>
    Task TombstoneStreamAsync(string streamId, ExpectedVersion expected, CancellationToken cancellationToken = default);

    /// <summary>Sets how much of <paramref name="streamId"/> readers see (max count, max age, truncate before).</summary>
    Task SetStreamMetadataAsync(string streamId, StreamMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>The stream's metadata; empty when none was set.</summary>
    Task<StreamMetadata> GetStreamMetadataAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>The streams with visible events whose ids start with <paramref name="prefix"/>, in ordinal order.</summary>
    IAsyncEnumerable<string> ListStreamsAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>The version of the stream's last event, or null when it has none.</summary>
    /// <exception cref="StreamDeletedException">The stream was deleted for good.</exception>
    Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default);
}
