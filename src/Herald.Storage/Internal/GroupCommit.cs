namespace Herald.Storage.Internal;

/// <summary>
/// Coordinates group commit for one log: every caller that asks for durability while a flush runs waits for the next
/// flush, which covers them all, so many appenders share one fdatasync. The flush itself is the log's; this type only
/// decides when it runs (one loop on the thread pool, started on demand) and whom it completes.
/// </summary>
internal sealed class GroupCommit : IThreadPoolWorkItem
{
    private readonly Action _flush;
    private readonly Func<Exception?> _failure;
    private readonly Lock _gate = new();
    private readonly Stack<DurabilityWaiter> _pool = new();
    private readonly Action<DurabilityWaiter> _returnToPool;
    private TaskCompletionSource? _nextFlush;
    private List<DurabilityWaiter> _waitingForNext = [];
    private List<DurabilityWaiter> _waitingForThis = [];
    private bool _requested;
    private bool _running;
    private bool _stopped;

    /// <param name="flush">Syncs everything appended so far; throws when it cannot.</param>
    /// <param name="failure">The log's failure, if it has stopped; nothing is flushed after one.</param>
    public GroupCommit(Action flush, Func<Exception?> failure)
    {
        _flush = flush;
        _failure = failure;
        _returnToPool = ReturnToPool;
    }

    /// <summary>Completes with <paramref name="appended"/> after the next flush. Pooled: allocates nothing in steady state.</summary>
    public ValueTask<AppendResult> WaitAsync(AppendResult appended)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return StoppedResult(appended);
            }

            var waiter = _pool.TryPop(out var pooled) ? pooled : new DurabilityWaiter(_returnToPool);
            waiter.Result = appended;
            _waitingForNext.Add(waiter);
            StartLocked();
            return waiter.Task;
        }
    }

    /// <summary>Starts a flush soon, for a caller that does not wait for it; allocates nothing.</summary>
    public void Request()
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                _requested = true;
                StartLocked();
            }
        }
    }

    /// <summary>A task that completes after the next flush.</summary>
    public Task RequestAsync()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return _failure() is { } failure ? Task.FromException(failure) : Task.CompletedTask;
            }

            _nextFlush ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            StartLocked();
            return _nextFlush.Task;
        }
    }

    /// <summary>
    /// Called by the log's close after its final flush: completes everyone still waiting (covered by that flush, or told
    /// why there was none), and answers later callers at once.
    /// </summary>
    public void Stop()
    {
        TaskCompletionSource? flush;
        List<DurabilityWaiter> waiters;
        lock (_gate)
        {
            _stopped = true;
            flush = _nextFlush;
            _nextFlush = null;
            waiters = _waitingForNext;
            _waitingForNext = [];
        }

        Complete(flush, waiters, _failure());
    }

    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            TaskCompletionSource? flush;
            List<DurabilityWaiter> waiters;
            lock (_gate)
            {
                flush = _nextFlush;
                _nextFlush = null;
                var requested = _requested;
                _requested = false;
                waiters = _waitingForNext;
                (_waitingForNext, _waitingForThis) = (_waitingForThis, _waitingForNext);
                if (flush is null && waiters.Count == 0 && !requested)
                {
                    _running = false;
                    return;
                }
            }

            var error = _failure();
            if (error is null)
            {
                try
                {
                    _flush();
                }
                catch (Exception exception)
                {
                    error = exception;
                }
            }

            Complete(flush, waiters, error);
        }
    }

    private ValueTask<AppendResult> StoppedResult(AppendResult appended) =>
        _failure() is { } failure ? ValueTask.FromException<AppendResult>(failure) : new ValueTask<AppendResult>(appended);

    private void StartLocked()
    {
        if (!_running)
        {
            _running = true;
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private void ReturnToPool(DurabilityWaiter waiter)
    {
        lock (_gate)
        {
            _pool.Push(waiter);
        }
    }

    private static void Complete(TaskCompletionSource? flush, List<DurabilityWaiter> waiters, Exception? error)
    {
        if (error is null)
        {
            flush?.TrySetResult();
        }
        else
        {
            flush?.TrySetException(error);
        }

        foreach (var waiter in waiters)
        {
            waiter.Complete(error);
        }

        waiters.Clear();
    }
}
