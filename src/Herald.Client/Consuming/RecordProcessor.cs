using Herald.Client.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;

namespace Herald.Client;

/// <summary>
/// Takes one record from envelope to outcome, one step after another: read the envelope, find the handler, skip what
/// was already processed, deserialize, park it behind its key's dead letters, wait for its retry tier, run the handler
/// (<see cref="HandlerExecution"/>, which also traces and times it), then mark it processed or route the failure (<see cref="FailureRouter"/>).
/// A step that finishes with the record ends the run. It returns only once the record is finished with, so its offset
/// may be committed; only shutdown interrupts it.
/// </summary>
internal sealed partial class RecordProcessor
{
    private readonly HandlerMap _handlers;
    private readonly EventSerializer _serializer;
    private readonly IProcessedEventStore _processed;
    private readonly ConsumerOptions _options;
    private readonly string _system;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly HeldKeys _held;
    private readonly FailureRouter _failures;
    private readonly HandlerExecution _execution;
    private readonly ResiliencePipeline _processedStore;

    public RecordProcessor(IServiceScopeFactory scopes, HandlerMap handlers, EventSerializer serializer, IProcessedEventStore processed, ConsumerOptions options, IEventTransport transport, TopicMap topics, ILogger logger, TimeProvider time)
    {
        _handlers = handlers;
        _serializer = serializer;
        _processed = processed;
        _options = options;
        _system = transport.System;
        _logger = logger;
        _time = time;
        _held = new HeldKeys(options, transport);
        _failures = new FailureRouter(options, transport, topics, _held, logger, time);
        _execution = new HandlerExecution(scopes, options, transport.System, logger, time);
        _processedStore = RetryForever.ForDependency("The processed-event store", logger, time);
    }

    /// <summary>The circuit breaker's state: anything but closed pauses consumption.</summary>
    public BreakerState BreakerState => _execution.BreakerState;

    /// <summary>Reads which keys have unresolved dead letters, so their later events are parked behind them.</summary>
    public Task RefreshHeldKeysAsync(CancellationToken cancellationToken) => _held.RefreshAsync(cancellationToken);

    public async Task ProcessAsync(IncomingRecord record, CancellationToken cancellationToken)
    {
        var tags = HeraldTelemetry.Tags(_system, record.Topic, _options.Group, record.Partition);
        HeraldTelemetry.Consumed.Add(1, tags);
        if (await ReadEnvelopeAsync(record, cancellationToken).ConfigureAwait(false) is not { } metadata)
        {
            return;
        }

        using var scope = _logger.BeginScope(new Dictionary<string, object?>
        {
            ["EventId"] = metadata.Id,
            ["EventType"] = metadata.Type.ToString(),
            ["CorrelationId"] = metadata.CorrelationId,
        });
        if (await FindHandlerAsync(record, metadata, cancellationToken).ConfigureAwait(false) is not { } handler
            || await AlreadyProcessedAsync(record, metadata, cancellationToken).ConfigureAwait(false)
            || await DeserializeAsync(record, metadata, handler.Type, cancellationToken).ConfigureAwait(false) is not { } @event
            || await HeldBehindDeadLetterAsync(record, metadata, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var retry = RetryState.Of(record);
        await WaitUntilDueAsync(retry, cancellationToken).ConfigureAwait(false);
        var context = new EventContext(metadata, record.Topic, record.Partition, record.Offset, _options.Group, retry.Attempts + 1);
        var outcome = await _execution.RunAsync(record, handler.Invoke, @event, context, retry, tags, cancellationToken).ConfigureAwait(false);
        if (outcome.Failure is { } failure)
        {
            await _failures.RouteAsync(record, metadata, failure, retry, outcome.Attempts, outcome.FirstFailure, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Apart from the failure routing: the handler succeeded, so a store that fails must not dead-letter it.
            await _processedStore.ExecuteAsync(static (call, token) => call.Store.MarkProcessedAsync(call.Group, call.Id, token), (Store: _processed, _options.Group, metadata.Id), cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<EventMetadata?> ReadEnvelopeAsync(IncomingRecord record, CancellationToken cancellationToken)
    {
        try
        {
            return CloudEventHeaders.Read(record.Headers, record.Key);
        }
        catch (InvalidEventException exception)
        {
            await _failures.DeadLetterAsync(record, null, exception, 0, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private async ValueTask<(EventTypeInfo Type, HandlerInvoker Invoke)?> FindHandlerAsync(IncomingRecord record, EventMetadata metadata, CancellationToken cancellationToken)
    {
        if (_handlers.TryFind(metadata.Type.Name, out var type, out var invoke))
        {
            return (type, invoke);
        }

        if (_options.UnknownEvents == UnknownEventPolicy.DeadLetter)
        {
            await _failures.DeadLetterAsync(record, metadata, new InvalidEventException($"{_options.Group} does not handle {metadata.Type}."), 0, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Skip(record, metadata, "not handled by this consumer", "unhandled_type");
        }

        return null;
    }

    private async ValueTask<bool> AlreadyProcessedAsync(IncomingRecord record, EventMetadata metadata, CancellationToken cancellationToken)
    {
        if (!_options.SkipProcessed
            || !await _processedStore.ExecuteAsync(static (call, token) => call.Store.IsProcessedAsync(call.Group, call.Id, token), (Store: _processed, _options.Group, metadata.Id), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Skip(record, metadata, "already processed", "duplicate");
        return true;
    }

    private async ValueTask<object?> DeserializeAsync(IncomingRecord record, EventMetadata metadata, EventTypeInfo type, CancellationToken cancellationToken)
    {
        try
        {
            return _serializer.Deserialize(record.Value, metadata.Type, type);
        }
        catch (InvalidEventException exception)
        {
            await _failures.DeadLetterAsync(record, metadata, exception, 0, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    private async ValueTask<bool> HeldBehindDeadLetterAsync(IncomingRecord record, EventMetadata metadata, CancellationToken cancellationToken)
    {
        if (!_held.Holds(record))
        {
            return false;
        }

        await _failures.DeadLetterAsync(record, metadata, new HeldBehindDeadLetterException(record.Key!), 0, cancellationToken).ConfigureAwait(false);
        return true;
    }

    // A retry tier's head waits until it is due: the rest of the tier is due later.
    private async ValueTask WaitUntilDueAsync(RetryState retry, CancellationToken cancellationToken)
    {
        if (retry.Due is { } due && due - _time.GetUtcNow() is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Skip(IncomingRecord record, EventMetadata metadata, string reason, string reasonTag)
    {
        HeraldTelemetry.CountSkipped(_system, record.Topic, _options.Group, record.Partition, reasonTag);
        LogSkipped(_logger, metadata.Type.ToString(), reason);
    }

    [LoggerMessage(EventId = 5025, Level = LogLevel.Debug, Message = "Skipped {EventTypeName}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string eventTypeName, string reason);
}
