using System.Diagnostics;
using Herald.Client;
using Microsoft.Extensions.Logging;

namespace Herald.EventSourcing;

/// <summary>
/// Publishes the store's events to topics through the SDK's publisher, a batch at a time, and saves its checkpoint
/// after each batch is stored. A crash between the two publishes the batch again after the restart, with the same
/// event ids, which the SDK's idempotent consumers drop: every event arrives, and is handled once.
/// </summary>
internal sealed class RelayRunner
{
    private readonly string _name;
    private readonly RelayOptions _options;
    private readonly IEventStore _store;
    private readonly EventCodec _codec;
    private readonly EventPublisher _publisher;
    private readonly IRelayCheckpoint _checkpoint;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<long, CancellationToken, Task>? _afterPublish;
    private readonly UnknownTypes _unknownTypes = new();

    public RelayRunner(string name, RelayOptions options, IEventStore store, EventCodec codec, EventPublisher publisher, IRelayCheckpoint checkpoint, ILogger logger, TimeProvider time, Func<long, CancellationToken, Task>? afterPublish = null)
    {
        _name = name;
        _options = options;
        _store = store;
        _codec = codec;
        _publisher = publisher;
        _checkpoint = checkpoint;
        _logger = logger;
        _time = time;
        _afterPublish = afterPublish;
    }

    public string Name => _name;

    /// <summary>The position the relay publishes from next.</summary>
    public long Checkpoint { get; private set; }

    /// <summary>Events in <c>$all</c> after the checkpoint, as last measured (after each pass, and when idle).</summary>
    public long LagEvents { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retry = RetryForever.Create(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), _time, (failure, delay) => Log.RelayFailed(_logger, failure, _name, delay));
        try
        {
            await retry.ExecuteAsync(FollowAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async ValueTask FollowAsync(CancellationToken cancellationToken)
    {
        Checkpoint = await _checkpoint.LoadAsync(cancellationToken).ConfigureAwait(false);
        await MeasureLagAsync(cancellationToken).ConfigureAwait(false); // also after each failure, when this runs again
        while (true)
        {
            var end = await _store.GetEndPositionAsync(cancellationToken).ConfigureAwait(false);
            if (end > Checkpoint)
            {
                await PassAsync(end, cancellationToken).ConfigureAwait(false);
                await MeasureLagAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            LagEvents = 0;
            await _store.WaitForAllBeyondAsync(end, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task MeasureLagAsync(CancellationToken cancellationToken)
    {
        var end = await _store.GetEndPositionAsync(cancellationToken).ConfigureAwait(false);
        LagEvents = await _store.CountAllEventsAsync(Checkpoint, end, cancellationToken).ConfigureAwait(false);
    }

    private async Task PassAsync(long end, CancellationToken cancellationToken)
    {
        var batch = new List<PublishRequest>(_options.BatchSize);
        var next = Checkpoint;
        await foreach (var recorded in _store.ReadAllAsync(Checkpoint, _options.Filter, cancellationToken).ConfigureAwait(false))
        {
            next = recorded.Position + 1;
            if (Request(recorded) is { } request)
            {
                batch.Add(request);
            }

            if (batch.Count == _options.BatchSize)
            {
                await PublishAsync(batch, next, cancellationToken).ConfigureAwait(false);
                batch.Clear();
            }
        }

        await PublishAsync(batch, Math.Max(next, end), cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(List<PublishRequest> batch, long checkpoint, CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            await _publisher.PublishAllAsync(batch, cancellationToken).ConfigureAwait(false);
            if (_afterPublish is not null)
            {
                await _afterPublish(checkpoint, cancellationToken).ConfigureAwait(false);
            }
        }

        if (checkpoint > Checkpoint)
        {
            await _checkpoint.SaveAsync(checkpoint, cancellationToken).ConfigureAwait(false);
            Checkpoint = checkpoint;
        }
    }

    // The stored event as the publisher takes it: same id, keyed by its stream so each stream keeps its order, and
    // sent under the append's trace, so a consumer's span continues the trace of the command that caused it.
    private PublishRequest? Request(RecordedEvent recorded)
    {
        if (_codec.DecodeIfKnown(recorded) is not { } decoded)
        {
            if (_unknownTypes.IsNew(recorded.Type))
            {
                Log.RelaySkippingUnknownType(_logger, _name, recorded.Type);
            }

            return null;
        }

        if (_options.Publishable(decoded, recorded) is not { } publishable)
        {
            return null;
        }

        var options = new PublishOptions
        {
            Id = recorded.EventId,
            Topic = _options.Topic,
            Key = recorded.StreamId,
            CorrelationId = recorded.CorrelationId,
            CausationId = recorded.CausationId,
        };
        var parent = recorded.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
        return new PublishRequest(publishable, options, parent);
    }
}
