using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>One partition: its log, and a signal that wakes waiting fetches when the high watermark advances.</summary>
internal sealed class Partition
{
    private TaskCompletionSource _arrival = NewArrival();

    public Partition(PartitionLog log)
    {
        Log = log;
        log.DurableEndAdvanced += _ => SignalArrival();
    }

    public PartitionLog Log { get; }

    /// <summary>Completes the next time the high watermark advances. Take it before reading, so no arrival is missed.</summary>
    public Task NextArrival => Volatile.Read(ref _arrival).Task;

    private void SignalArrival() => Interlocked.Exchange(ref _arrival, NewArrival()).TrySetResult();

    private static TaskCompletionSource NewArrival() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
