using System.Buffers;
using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>
/// One partition: its log, its idempotent producers, and a signal that wakes waiting fetches when the high watermark
/// advances.
/// </summary>
internal sealed class Partition
{
    private TaskCompletionSource _arrival = NewArrival();

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

    /// <summary>Completes the next time the high watermark advances. Take it before reading, so no arrival is missed.</summary>
    public Task NextArrival => Volatile.Read(ref _arrival).Task;

    private void SignalArrival() => Interlocked.Exchange(ref _arrival, NewArrival()).TrySetResult();

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

    private static TaskCompletionSource NewArrival() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
