namespace Herald.EventSourcing;

/// <summary>What projections and the relay need from a store beyond <see cref="IEventStore"/>: waiting for <c>$all</c> to grow, and counting lag.</summary>
internal interface IAllStreamWatch
{
    /// <summary>Completes when <c>$all</c>'s end position is beyond <paramref name="position"/>.</summary>
    Task WaitBeyondAsync(long position, CancellationToken cancellationToken);

    /// <summary>How many events have positions from <paramref name="from"/> up to (not including) <paramref name="to"/>.</summary>
    Task<long> CountEventsAsync(long from, long to, CancellationToken cancellationToken);
}
