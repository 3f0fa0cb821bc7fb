namespace Herald.EventSourcing;

/// <summary>
/// What projections and the relay do on any store while they follow <c>$all</c>: wait for it to grow, and count what
/// lies behind a checkpoint, through <see cref="IAllStreamWatch"/> where the store has it, else by polling and by positions.
/// </summary>
internal static class AllStreamFollowing
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>Completes when <c>$all</c> has grown beyond <paramref name="position"/> (or, on a store that cannot say, after a short wait).</summary>
    public static Task WaitForAllBeyondAsync(this IEventStore store, long position, TimeProvider time, CancellationToken cancellationToken) =>
        store is IAllStreamWatch watch ? watch.WaitBeyondAsync(position, cancellationToken) : Task.Delay(Poll, time, cancellationToken);

    /// <summary>The events from <paramref name="from"/> up to <paramref name="to"/>; the span of positions on a store that cannot count.</summary>
    public static Task<long> CountAllEventsAsync(this IEventStore store, long from, long to, CancellationToken cancellationToken) =>
        store is IAllStreamWatch watch ? watch.CountEventsAsync(from, to, cancellationToken) : Task.FromResult(Math.Max(0, to - from));
}
