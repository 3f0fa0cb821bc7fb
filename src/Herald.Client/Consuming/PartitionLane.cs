using Herald.Client.Transport;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Herald.Client;

/// <summary>
/// One assigned partition's events in flight. Events with the same key run one after another, in offset order; other
/// keys (and keyless events) run beside them, up to the consumer's concurrency. The committable offset only moves past
/// an event once it and every event before it in the partition are finished, so a crash redelivers and never skips.
/// Each finished event is reported to <paramref name="finished"/>, which makes room for the transport to hand over another.
/// </summary>
internal sealed partial class PartitionLane(int partition, Func<IncomingRecord, CancellationToken, Task> process, SemaphoreSlim concurrency, Action<int> finished, ILogger logger, CancellationToken stopping) : IDisposable
{
    private readonly CancellationTokenSource _revoked = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly CancellationTokenSource _noMoreStarts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly Lock _gate = new();
    private int _running;
    private TaskCompletionSource? _idle;
    private readonly Dictionary<string, Queue<IncomingRecord>> _busyKeys = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, DateTimeOffset> _unfinished = [];
    private long _nextOffset = -1;
    private long _committed = -1;

    // A failure outside any handler (those are dealt with in the processor): the same event is tried again a second
    // later, so the partition neither skips it nor stops for good. A stop or revocation cancels the start token.
    private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Constant,
            Delay = TimeSpan.FromSeconds(1),
        })
        .Build();

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
    /// <returns>False when it was taken before (a transport may hand a record over twice around a rebalance).</returns>
    public bool Add(IncomingRecord record)
    {
        lock (_gate)
        {
            if (record.Offset < _nextOffset)
            {
                return false;
            }

            _unfinished.Add(record.Offset, record.Timestamp);
            _nextOffset = record.Offset + 1;
            if (record.Key is { } key)
            {
                if (_busyKeys.TryGetValue(key, out var waiting))
                {
                    waiting.Enqueue(record);
                    return true;
                }

                _busyKeys[key] = new Queue<IncomingRecord>();
            }
        }

        _ = Task.Run(() => RunAsync(record), CancellationToken.None); // a handler that blocks before its first await must not hold up polling
        return true;
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
    public void Revoke()
    {
        _noMoreStarts.Cancel();
        _revoked.Cancel();
    }

    public void Dispose()
    {
        _revoked.Dispose();
        _noMoreStarts.Dispose();
    }

    /// <summary>
    /// For a stop: starts no more events and waits until those already running are finished, or until
    /// <paramref name="cancellationToken"/> ends the wait. Events taken but not started stay unfinished, so they are
    /// not committed and are delivered again.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            _noMoreStarts.Cancel();
            if (_running == 0)
            {
                return;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            idle = _idle.Task;
        }

        await idle.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(IncomingRecord record)
    {
        while (true)
        {
            try
            {
                await Retry.ExecuteAsync(_ => RunOnceAsync(record), _noMoreStarts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // stopping or revoked: left unfinished, so it is delivered again
            }

            finished(partition);
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

    private async ValueTask RunOnceAsync(IncomingRecord record)
    {
        await concurrency.WaitAsync(_noMoreStarts.Token).ConfigureAwait(false);
        lock (_gate)
        {
            if (_noMoreStarts.IsCancellationRequested)
            {
                concurrency.Release();
                throw new OperationCanceledException(_noMoreStarts.Token);
            }

            _running++;
        }

        var token = _revoked.Token;
        try
        {
            await process(record, token).ConfigureAwait(false);
        }
        catch (Exception exception) when (!token.IsCancellationRequested)
        {
            LogProcessorFailed(logger, exception, record.Topic, partition, record.Offset);
            throw;
        }
        finally
        {
            concurrency.Release();
            lock (_gate)
            {
                if (--_running == 0 && _idle is { } idle)
                {
                    idle.TrySetResult();
                }
            }
        }
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "Processing {Topic}-{Partition}@{Offset} failed outside its handler; trying it again")]
    private static partial void LogProcessorFailed(ILogger logger, Exception exception, string topic, int partition, long offset);
}
