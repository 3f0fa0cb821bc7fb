using System.Threading.Tasks.Sources;

namespace Herald.Storage.Internal;

/// <summary>
/// A reusable awaitable for one append waiting on a group commit. Pooled by its log, so waiting for durability
/// allocates nothing in steady state. Completed by the flush loop; returned to the pool when its result is read.
/// </summary>
internal sealed class DurabilityWaiter : IValueTaskSource<AppendResult>
{
    private readonly Action<DurabilityWaiter> _returnToPool;
    private ManualResetValueTaskSourceCore<AppendResult> _core;

    public DurabilityWaiter(Action<DurabilityWaiter> returnToPool)
    {
        _returnToPool = returnToPool;
        _core.RunContinuationsAsynchronously = true;
    }

    public AppendResult Result { get; set; }

    public ValueTask<AppendResult> Task => new(this, _core.Version);

    public void Complete(Exception? error)
    {
        if (error is null)
        {
            _core.SetResult(Result);
        }
        else
        {
            _core.SetException(error);
        }
    }

    public AppendResult GetResult(short token)
    {
        // Blocking on a pending ValueTask, or reading one twice, must not hand this waiter to another append while
        // it is still queued for a flush.
        if (_core.GetStatus(token) == ValueTaskSourceStatus.Pending)
        {
            throw new InvalidOperationException("The append is not durable yet; await the ValueTask instead of blocking on it.");
        }

        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _returnToPool(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
