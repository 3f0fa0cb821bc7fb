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

    // The idempotent producers' state, changed only together with the append it describes.
    private readonly ProducerStateTable _producers = new();
    private readonly Lock _produceLock = new();

    public Partition(PartitionLog log)
    {
        Log = log;
        log.DurableEndAdvanced += _ => SignalArrival();
        RebuildProducerState();
    }

    public PartitionLog Log { get; }

    /// <summary>
    /// Validates a produced record set and appends it, applying the idempotent producer's sequence rules (a retried
    /// batch is answered with its first offset, not stored again). Validation comes first, so a damaged retry is refused.
    /// </summary>
    public (ErrorCode Error, long BaseOffset, long NextOffset, string? Problem) Append(Span<byte> recordSet)
    {
        if (Log.Validate(recordSet, out var validated) is { } refused)
        {
            return (ToErrorCode(refused.Error), -1, -1, refused.Problem);
        }

        var header = validated.FirstHeader;
        if (header.ProducerId < 0)
        {
            var plain = Log.Append(validated);
            return (ErrorCode.None, plain.BaseOffset, plain.NextOffset, null);
        }

        if (validated.BatchCount != 1)
        {
            // Produce v3+ carries exactly one batch per partition; sequence checks are per batch.
            return (ErrorCode.InvalidRecord, -1, -1, "An idempotent producer's record set must hold exactly one batch.");
        }

        lock (_produceLock)
        {
            var check = _producers.Check(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount, out var duplicateOf);
            if (check == ErrorCode.DuplicateSequenceNumber)
            {
                return (ErrorCode.None, duplicateOf, duplicateOf + header.LastOffsetDelta + 1, null);
            }

            if (check != ErrorCode.None)
            {
                return (check, -1, -1, null);
            }

            var appended = Log.Append(validated);
            _producers.Record(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount, appended.BaseOffset);
            return (ErrorCode.None, appended.BaseOffset, appended.NextOffset, null);
        }
    }

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
                    _producers.Record(header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordCount, header.BaseOffset);
                }

                batches = batches[header.TotalSize..];
            }

            offset = read.NextOffset;
        }
    }

    private static ErrorCode ToErrorCode(BatchError error) => error switch
    {
        BatchError.TooLarge or BatchError.DecompressedTooLarge => ErrorCode.MessageTooLarge,
        BatchError.UnsupportedMagic => ErrorCode.UnsupportedForMessageFormat,
        BatchError.InvalidRecordCount or BatchError.UnknownCompression or BatchError.MalformedRecords => ErrorCode.InvalidRecord,
        _ => ErrorCode.CorruptMessage,
    };
}
