namespace Herald.Client.Transport;

/// <summary>A group member's view of its partitions. Used by one thread at a time.</summary>
internal interface ITransportConsumer : IAsyncDisposable
{
    /// <summary>The partitions this member owns now; changes when the group rebalances.</summary>
    IReadOnlyCollection<int> Assignment { get; }

    /// <summary>Records from owned, unpaused partitions, in offset order per partition; empty after <paramref name="timeout"/>.</summary>
    Task<IReadOnlyList<IncomingRecord>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Says that <paramref name="count"/> records of <paramref name="partition"/> handed over are finished with (or were
    /// not taken), making room for as many more. Any thread.
    /// </summary>
    void Finished(int partition, int count);

    /// <summary>Stops fetching a partition (its circuit breaker is open, say) while the member stays in the group.</summary>
    void Pause(int partition);

    /// <summary>Fetches a paused partition again.</summary>
    void Resume(int partition);

    /// <summary>Commits, per partition, the offset of the next record to process.</summary>
    Task CommitAsync(IReadOnlyDictionary<int, long> nextOffsets, CancellationToken cancellationToken);
}
