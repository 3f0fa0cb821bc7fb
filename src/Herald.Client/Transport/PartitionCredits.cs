namespace Herald.Client.Transport;

/// <summary>
/// How many more records of each partition a consumer may hand over: a partition starts with the limit, each record
/// handed over takes one, and each finished with gives one back. This is what keeps a partition's read-ahead within
/// <see cref="ConsumerOptions.MaxBufferedPerPartition"/>. Thread-safe.
/// </summary>
internal sealed class PartitionCredits(int limit)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, int> _available = [];
    private TaskCompletionSource? _returned;

    /// <summary>Whether there is no limit (a limit of 0 or less).</summary>
    public bool Unlimited => limit <= 0;

    /// <summary>How many more records of <paramref name="partition"/> may be handed over now.</summary>
    public int Available(int partition)
    {
        if (Unlimited)
        {
            return int.MaxValue;
        }

        lock (_lock)
        {
            return _available.GetValueOrDefault(partition, limit);
        }
    }

    /// <summary>
    /// Whether a partition that ran out of room has enough again to be worth fetching: half the limit, so that a slow
    /// consumer fetches in runs rather than one record at a time.
    /// </summary>
    public bool WorthFetching(int partition) => Available(partition) >= Math.Max(1, limit / 2);

    /// <summary>Completes when credits are given back (or after <paramref name="timeout"/>), for a poll that found no room.</summary>
    public Task WhenReturnedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _returned ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _returned.Task.WaitAsync(timeout, cancellationToken).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>Takes up to <paramref name="wanted"/> credits of a partition; returns how many it got.</summary>
    public int Take(int partition, int wanted)
    {
        if (Unlimited)
        {
            return wanted;
        }

        lock (_lock)
        {
            var has = _available.GetValueOrDefault(partition, limit);
            var taken = Math.Min(has, wanted);
            _available[partition] = has - taken;
            return taken;
        }
    }

    /// <summary>Gives <paramref name="count"/> credits back; returns how many the partition has now.</summary>
    public int Return(int partition, int count)
    {
        if (Unlimited)
        {
            return int.MaxValue;
        }

        lock (_lock)
        {
            var now = (int)Math.Min(limit, (long)_available.GetValueOrDefault(partition, limit) + count);
            _available[partition] = now;
            _returned?.TrySetResult();
            _returned = null;
            return now;
        }
    }

    /// <summary>
    /// Forgets the partitions no longer assigned, so that one assigned again starts full; those kept keep their count,
    /// since their records still in the owner's hands will be given back.
    /// </summary>
    public void KeepOnly(IReadOnlyCollection<int> assignment)
    {
        lock (_lock)
        {
            foreach (var partition in _available.Keys.Where(p => !assignment.Contains(p)).ToList())
            {
                _available.Remove(partition);
            }
        }
    }
}
