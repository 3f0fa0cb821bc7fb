namespace Herald.Kafka.Internal;

/// <summary>
/// The bytes of requests being read or handled, across every connection (Kafka's <c>queued.max.request.bytes</c>). A
/// connection reserves a request's whole size as soon as its length arrives and stops reading from its socket while the
/// budget cannot cover it; waiters are served in arrival order, so a large request is not starved by small ones.
/// </summary>
internal sealed class RequestMemoryBudget(long total)
{
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private readonly long _total = total;
    private long _available = total;

    /// <summary>Bytes reserved right now.</summary>
    public long InUse
    {
        get
        {
            lock (_lock)
            {
                return _total - _available;
            }
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> at once when they are free and nobody waits before this caller.</summary>
    public bool TryReserve(int bytes)
    {
        lock (_lock)
        {
            if (_waiters.Count > 0 || _available < bytes)
            {
                return false;
            }

            _available -= bytes;
            return true;
        }
    }

    /// <summary>Waits until <paramref name="bytes"/> are free, behind everyone already waiting.</summary>
    public async Task ReserveAsync(int bytes, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _available >= bytes)
            {
                _available -= bytes;
                return;
            }

            waiter = new Waiter(this, bytes);
            _waiters.Enqueue(waiter);
        }

        await using (cancellationToken.Register(static state => ((Waiter)state!).Cancel(), waiter).ConfigureAwait(false))
        {
            await waiter.Granted.Task.ConfigureAwait(false);
        }
    }

    public void Release(int bytes)
    {
        lock (_lock)
        {
            _available += bytes;
            GrantLocked();
        }
    }

    // Serves waiters in order while the budget covers the first; a cancelled one no longer stands in the way.
    private void GrantLocked()
    {
        while (_waiters.TryPeek(out var next) && (next.Granted.Task.IsCompleted || _available >= next.Bytes))
        {
            _waiters.Dequeue();
            if (next.Granted.TrySetResult())
            {
                _available -= next.Bytes;
            }
        }
    }

    private sealed class Waiter(RequestMemoryBudget budget, int bytes)
    {
        public int Bytes { get; } = bytes;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Cancel()
        {
            lock (budget._lock)
            {
                if (Granted.TrySetCanceled())
                {
                    budget.GrantLocked();
                }
            }
        }
    }
}
