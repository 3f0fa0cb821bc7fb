using System.Buffers;
using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>
/// One partition: its log, its idempotent producers, and a signal that wakes waiting fetches when the high watermark
/// advances.
/// </summary>
internal sealed class Partition
{
    private readonly List<TaskCompletionSource> _waiters = [];

    public Partition(PartitionLog log)
    {
        Log = log;
        log.DurableEndAdvanced += _ => SignalArrival();
        RebuildProducerState();
    }

    public PartitionLog Log { get; }

    /// <summary>The idempotent producers; guarded by <see cref="ProduceLock"/> together with their appends.</summary>
    public ProducerStateTable Producers { get; } = new();

    public Lock ProduceLock { get; } = new();

    /// <summary>
    /// Completes <paramref name="waiter"/> the next time the high watermark advances. Register before reading, so no
    /// arrival is missed, and always <see cref="RemoveWaiter"/> afterwards, so an idle partition holds no stale waiters.
    /// </summary>
    public void AddWaiter(TaskCompletionSource waiter)
    {
        lock (_waiters)
        {
            _waiters.Add(waiter);
        }
    }

    public void RemoveWaiter(TaskCompletionSource waiter)
    {
        lock (_waiters)
        {
            _waiters.Remove(waiter);
        }
    }

    private void SignalArrival()
    {
        TaskCompletionSource[] woken;
        lock (_waiters)
        {
            if (_waiters.Count == 0)
            {
                return;
            }

            woken = [.. _waiters];
            _waiters.Clear();
        }

        foreach (var waiter in woken)
        {
            waiter.TrySetResult();
        }
    }

    // The log is the record of every producer's batches, so a retried batch is still known after a restart or crash.
    private void RebuildProducerState()
    {
        var buffer = new ArrayBufferWriter<byte>(1024 * 1024);
        var offset = Log.LogStartOffset;
        while (offset < Log.LogEndOffset)
        {
            buffer.ResetWrittenCount();
            var read = Log.Read(offset, 1024 * 1024, buffer);
            if (read.BytesWritten == 0)
            {
                break;
            }

            for (var batches = buffer.WrittenSpan; !batches.IsEmpty;)
            {
                var header = RecordBatchHeader.Read(batches);
                if (header.ProducerId >= 0)
                {
                    Producers.Record(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount, header.BaseOffset);
                }

                batches = batches[header.TotalSize..];
            }

            offset = read.NextOffset;
        }
    }
}
