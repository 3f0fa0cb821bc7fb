namespace Herald.EventSourcing.Embedded;

/// <summary>
/// Wakes live subscribers when more of the log becomes durable. Take <see cref="Next"/> before reading, so an arrival
/// between the read and the wait is never missed.
/// </summary>
internal sealed class ArrivalSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next() => Volatile.Read(ref _next).Task;

    public void Signal() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
