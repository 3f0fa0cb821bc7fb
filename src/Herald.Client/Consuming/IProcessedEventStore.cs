namespace Herald.Client;

/// <summary>
/// Remembers which event ids a group has processed, so a redelivered event is skipped. Implement it on your own
/// database to record processing in the same transaction as the handler's writes.
/// </summary>
public interface IProcessedEventStore
{
    /// <summary>Whether <paramref name="group"/> already processed <paramref name="eventId"/>.</summary>
    ValueTask<bool> IsProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="group"/> processed <paramref name="eventId"/>.</summary>
    ValueTask MarkProcessedAsync(string group, Guid eventId, CancellationToken cancellationToken);
}
