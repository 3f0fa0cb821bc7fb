namespace Herald.EventSourcing;

/// <summary>A store that reads a stream's snapshot and the events after it in one round trip, for loading aggregates.</summary>
internal interface ISnapshotLoader
{
    /// <exception cref="StreamDeletedException">The stream was deleted for good.</exception>
    Task<SnapshotLoad> LoadAsync(string streamId, CancellationToken cancellationToken);
}

/// <param name="Snapshot">The stream's snapshot, or null.</param>
/// <param name="Events">The first events after the snapshot (from version 0 without one).</param>
/// <param name="MayHaveMore">Whether more events may follow the last of <paramref name="Events"/>.</param>
internal sealed record SnapshotLoad(Snapshot? Snapshot, IReadOnlyList<RecordedEvent> Events, bool MayHaveMore);
