using Herald.Client.Transport;
using Microsoft.Extensions.Logging;

namespace Herald.Client;

/// <summary>
/// One assigned partition's events in flight. Events with the same key run one after another, in offset order; other
/// keys (and keyless events) run beside them, up to the consumer's concurrency. The committable offset only moves past
/// an event once it and every event before it in the partition are finished, so a crash redelivers and never skips.
/// </summary>
internal sealed partial class PartitionLane(int partition, Func<IncomingRecord, CancellationToken, Task> process, SemaphoreSlim concurrency, ILogger logger, CancellationToken stopping) : IDisposable
{
    private readonly CancellationTokenSource _revoked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<IncomingRecord>> _busyKeys = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, DateTimeOffset> _unfinished = [];
    private long _nextOffset = -1;
    private long _committed = -1;

    public int Partition => partition;

    /// <summary>Events read and not yet finished.</summary>
    public int Buffered
    {
        get
        {
            lock (_gate)
            {
                return _unfinished.Count;
            }
        }
    }

    public bool Paused { get; set; }

    /// <summary>When the oldest unfinished event was published, or null when none is.</summary>
    public DateTimeOffset? OldestUnfinishedTimestamp
    {
        get
        {
            lock (_gate)
            {
                return _unfinished.Count > 0 ? _unfinished.Values.Min() : null;
            }
        }
    }

    /// <summary>Takes the next event of the partition (in offset order).</summary>
    public void Add(IncomingRecord record)
    {
        lock (_gate)
        {
            if (record.Offset < _nextOffset)
            {
                return; // already taken: a transport may hand a record over twice around a rebalance
            }

            _unfinished.Add(record.Offset, record.Timestamp);
            _nextOffset = record.Offset + 1;
            if (record.Key is { } key)
            {
                if (_busyKeys.TryGetValue(key, out var waiting))
                {
                    waiting.Enqueue(record);
                    return;
                }

                _busyKeys[key] = new Queue<IncomingRecord>();
            }
        }

        _ = Task.Run(() => RunAsync(record), CancellationToken.None); // a handler that blocks before its first await must not hold up polling
    }

    /// <summary>The offset to commit if it has moved since the last commit: the first unfinished one, or the end.</summary>
    public long? TakeCommittable()
    {
        lock (_gate)
        {
            var next = _unfinished.Count > 0 ? _unfinished.First().Key : _nextOffset;
            if (next < 0 || next == _committed)
            {
                return null;
            }

            return next;
        }
    }

    public void MarkCommitted(long offset)
    {
        lock (_gate)
        {
            _committed = Math.Max(_committed, offset);
        }
    }

    /// <summary>
    /// The partition went to another member: its handlers are cancelled, and nothing of it is committed from here on;
    /// the new owner gets its unfinished events again from the committed offset.
    /// </summary>
    public void Revoke() => _revoked.Cancel();

    public void Dispose() => _revoked.Dispose();

    /// <summary>Waits until every event taken so far is finished, or <paramref name="cancellationToken"/> ends the wait.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (Buffered > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(IncomingRecord record)
    {
        var token = _revoked.Token;
        while (true)
        {
            try
            {
                await concurrency.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // stopping or revoked: left unfinished, so it is delivered again
            }

            var failed = false;
            try
            {
                await process(record, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // A failure outside any handler (those are dealt with in the processor): try the same event again
                // later, so the partition neither skips it nor stops for good.
                LogProcessorFailed(logger, exception, record.Topic, partition, record.Offset);
                failed = true;
            }
            finally
            {
                concurrency.Release();
            }

            if (failed)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            IncomingRecord? next = null;
            lock (_gate)
            {
                _unfinished.Remove(record.Offset);
                if (record.Key is { } key)
                {
                    if (_busyKeys[key].TryDequeue(out var waiting))
                    {
                        next = waiting;
                    }
                    else
                    {
                        _busyKeys.Remove(key);
                    }
                }
            }

            if (next is null)
            {
                return;
            }

            record = next; // the key's next event, on this same flow
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing {Topic}-{Partition}@{Offset} failed outside its handler; trying it again")]
    private static partial void LogProcessorFailed(ILogger logger, Exception exception, string topic, int partition, long offset);
}
