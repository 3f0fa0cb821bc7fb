using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>
/// Kafka's fetch over several partitions: reads each up to its own limit and the whole up to the request's (the first
/// partition with data always gives one whole batch), and when too little is there, waits to be woken as soon as any
/// of the partitions' high watermark advances, or until the wait runs out. Nothing polls.
/// </summary>
internal sealed class WaitingFetch(TimeProvider time, Func<Exception, ErrorCode?> partitionErrorFor)
{
    /// <summary>
    /// Reads <paramref name="batch"/>, whose partitions are already looked up, and when fewer than
    /// <paramref name="minBytes"/> are available waits up to <paramref name="maxWait"/> to be woken by new data.
    /// </summary>
    public async ValueTask RunAsync(FetchBatch batch, int maxBytes, TimeSpan maxWait, int minBytes, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + maxWait;
        var total = 0;

        // Most fetches find data at once: read before registering to be woken, so those take no waiter and no lock.
        var waitable = ReadRound(batch, ref total, maxBytes);
        if (Answered(batch, total, minBytes, deadline, waitable))
        {
            return;
        }

        while (true)
        {
            var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            try
            {
                foreach (var entry in batch.Entries)
                {
                    entry.Target?.AddWaiter(wake);
                }

                // Read again now that a new batch would wake us: data that came in between is not missed.
                waitable = ReadRound(batch, ref total, maxBytes);
                if (Answered(batch, total, minBytes, deadline, waitable)
                    || !await WaitAsync(wake.Task, deadline - time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            finally
            {
                foreach (var entry in batch.Entries)
                {
                    entry.Target?.RemoveWaiter(wake);
                }
            }
        }
    }

    /// <summary>Reads every partition that is still fine once; returns how many could still receive data.</summary>
    private int ReadRound(FetchBatch batch, ref int total, int maxBytes)
    {
        var waitable = 0;
        foreach (ref var entry in batch.Entries)
        {
            if (entry.Target is null || entry.Result.Error != ErrorCode.None)
            {
                continue;
            }

            waitable++;
            entry.Result = FetchOne(ref entry, ref total, maxBytes);
        }

        return waitable;
    }

    // Kafka answers at once when a partition failed; otherwise it waits for minBytes or maxWait.
    private bool Answered(FetchBatch batch, int total, int minBytes, DateTimeOffset deadline, int waitable)
    {
        if (total >= minBytes || deadline <= time.GetUtcNow() || waitable == 0)
        {
            return true;
        }

        foreach (var entry in batch.Entries)
        {
            if (entry.Result.Error != ErrorCode.None)
            {
                return true;
            }
        }

        return false;
    }

    private FetchResult FetchOne(ref FetchBatch.Entry entry, ref int total, int maxBytes)
    {
        var sofar = entry.Result;
        try
        {
            var log = entry.Target!.Log;
            var highWatermark = log.DurableEndOffset;
            if (entry.Next > highWatermark && entry.Next <= log.LogEndOffset)
            {
                // Written but not yet durable (acks=1 or in flight): not visible yet, and not out of range either.
                return new FetchResult(ErrorCode.None, sofar.BytesWritten, highWatermark, log.LogStartOffset);
            }

            var budget = Math.Min(entry.MaxBytes - sofar.BytesWritten, maxBytes - total);
            var read = budget > 0 || total == 0
                ? log.Read(entry.Next, Math.Max(budget, 0), entry.Destination, highWatermark, atLeastOneBatch: total == 0)
                : new ReadResult(ReadStatus.Ok, 0, log.LogStartOffset, highWatermark, entry.Next);
            if (read.Status == ReadStatus.OffsetOutOfRange && sofar.BytesWritten == 0)
            {
                return new FetchResult(ErrorCode.OffsetOutOfRange, 0, read.EndOffset, read.LogStartOffset);
            }

            total += read.BytesWritten;
            BrokerTelemetry.Fetched(entry.Topic, read.NextOffset - entry.Next, read.BytesWritten);
            entry.Next = read.NextOffset;
            return new FetchResult(ErrorCode.None, sofar.BytesWritten + read.BytesWritten, highWatermark, log.LogStartOffset);
        }
        catch (Exception exception) when (partitionErrorFor(exception) is { } error)
        {
            return new FetchResult(error, sofar.BytesWritten, -1, -1);
        }
    }

    /// <returns>True when woken, false when the time ran out.</returns>
    private async Task<bool> WaitAsync(Task wake, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, timer.Token);
        var first = await Task.WhenAny(wake, delay).ConfigureAwait(false);
#pragma warning disable CA1849 // CancelAsync would add a thread-pool hop to every woken fetch; the only callback is the timer's release
        timer.Cancel();
#pragma warning restore CA1849
        cancellationToken.ThrowIfCancellationRequested();
        return first == wake;
    }
}
