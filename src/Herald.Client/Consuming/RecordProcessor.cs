using System.Diagnostics;
using Herald.Client.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Herald.Client;

/// <summary>
/// Takes one record from envelope to outcome: skips what was already processed, deserializes, runs the handler in a
/// fresh scope with retries (Polly, exponential backoff with jitter), and dead-letters or discards what keeps failing.
/// It returns only once the record is finished with, so its offset may be committed; only shutdown interrupts it.
/// </summary>
internal sealed partial class RecordProcessor
{
    private readonly IServiceScopeFactory _scopes;
    private readonly HandlerMap _handlers;
    private readonly EventSerializer _serializer;
    private readonly IProcessedEventStore _processed;
    private readonly ConsumerOptions _options;
    private readonly IEventTransport _transport;
    private readonly TopicMap _topics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _retry;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly Lock _heldGate = new();
    private readonly HashSet<string> _heldSinceRefresh = new(StringComparer.Ordinal);
    private HashSet<string> _heldKeys = new(StringComparer.Ordinal);

    public RecordProcessor(IServiceScopeFactory scopes, HandlerMap handlers, EventSerializer serializer, IProcessedEventStore processed, ConsumerOptions options, IEventTransport transport, TopicMap topics, ILogger logger, TimeProvider time)
    {
        _scopes = scopes;
        _handlers = handlers;
        _serializer = serializer;
        _processed = processed;
        _options = options;
        _transport = transport;
        _topics = topics;
        _logger = logger;
        _time = time;
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // A dependency is down: the event is kept (its offset is not committed) and tried again every probe interval.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception && !args.Context.CancellationToken.IsCancellationRequested && HeldByBreaker(exception)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Constant,
                Delay = ProbeInterval,
            })
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception && ShouldRetry(exception, args.AttemptNumber, args.Context.CancellationToken)),
                MaxRetryAttempts = Math.Max(1, Math.Max(options.Retries, options.Failures.MaxRetries)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                OnRetry = args =>
                {
                    HeraldTelemetry.Retries.Add(1, HeraldTelemetry.Tags(_transport.System, _options.Topic, _options.Group));
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Only failures that could pass count: a validation error says nothing about a dependency being down.
                ShouldHandle = args => ValueTask.FromResult(options.CircuitBreaker.Enabled && args.Outcome.Exception is { } exception && IsTransient(exception)),
                FailureRatio = options.CircuitBreaker.FailureRatio,
                MinimumThroughput = options.CircuitBreaker.MinimumThroughput,
                SamplingDuration = options.CircuitBreaker.SamplingDuration,
                BreakDuration = options.CircuitBreaker.BreakDuration,
                StateProvider = _breaker,
                OnOpened = _ =>
                {
                    LogBreakerOpened(_logger, _options.Topic, _options.Group, _options.CircuitBreaker.BreakDuration);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    LogBreakerClosed(_logger, _options.Topic, _options.Group);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The circuit breaker's state: anything but closed pauses consumption.</summary>
    public BreakerState BreakerState => _breaker.CircuitState switch
    {
        CircuitState.Closed => BreakerState.Closed,
        CircuitState.HalfOpen => BreakerState.HalfOpen,
        _ => BreakerState.Open,
    };

    private TimeSpan ProbeInterval => TimeSpan.FromTicks(Math.Clamp(_options.CircuitBreaker.BreakDuration.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(1).Ticks));

    private bool IsTransient(Exception exception) =>
        exception is not BrokenCircuitException and not InvalidEventException && _options.Failures.For(exception).Action == FailureAction.RetryThenDeadLetter;

    public async Task ProcessAsync(IncomingRecord record, CancellationToken cancellationToken)
    {
        var tags = HeraldTelemetry.Tags(_transport.System, record.Topic, _options.Group, record.Partition);
        HeraldTelemetry.Consumed.Add(1, tags);
        EventMetadata metadata;
        try
        {
            metadata = CloudEventHeaders.Read(record.Headers, record.Key);
        }
        catch (InvalidEventException exception)
        {
            await DeadLetterAsync(record, null, exception, 0, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var scope = _logger.BeginScope(new Dictionary<string, object?>
        {
            ["EventId"] = metadata.Id,
            ["EventType"] = metadata.Type.ToString(),
            ["CorrelationId"] = metadata.CorrelationId,
        });
        if (!_handlers.TryFind(metadata.Type.Name, out var type, out var invoke))
        {
            if (_options.UnknownEvents == UnknownEventPolicy.DeadLetter)
            {
                await DeadLetterAsync(record, metadata, new InvalidEventException($"{_options.Group} does not handle {metadata.Type}."), 0, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                HeraldTelemetry.Skipped.Add(1, tags);
                LogSkipped(_logger, metadata.Type.ToString(), "not handled by this consumer");
            }

            return;
        }

        if (_options.SkipProcessed && await UntilItWorksAsync(token => _processed.IsProcessedAsync(_options.Group, metadata.Id, token), "The processed-event store", cancellationToken).ConfigureAwait(false))
        {
            HeraldTelemetry.Skipped.Add(1, tags);
            LogSkipped(_logger, metadata.Type.ToString(), "already processed");
            return;
        }

        object @event;
        try
        {
            @event = _serializer.Deserialize(record.Value, metadata.Type, type);
        }
        catch (InvalidEventException exception)
        {
            await DeadLetterAsync(record, metadata, exception, 0, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (IsHeld(record))
        {
            await DeadLetterAsync(record, metadata, new HeldBehindDeadLetterException(record.Key!), 0, cancellationToken).ConfigureAwait(false);
            return;
        }

        var retry = RetryState.Of(record);
        if (retry.Due is { } due && due - _time.GetUtcNow() is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false); // this tier's head: the rest are due later
        }

        using var activity = StartProcessActivity(record, metadata);
        var started = Stopwatch.GetTimestamp();
        var attempts = retry.Attempts;
        var handled = false;
        DateTimeOffset? firstFailure = retry.FirstFailure;
        try
        {
            await _retry.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    var context = new EventContext(metadata, record.Topic, record.Partition, record.Offset, _options.Group, attempts);
                    await using var handlerScope = _scopes.CreateAsyncScope();
                    EventContext.Current = context;
                    try
                    {
                        await invoke(handlerScope.ServiceProvider, @event, context, token).ConfigureAwait(false);
                    }
                    catch (Exception) when (!token.IsCancellationRequested)
                    {
                        firstFailure ??= _time.GetUtcNow();
                        throw;
                    }
                    finally
                    {
                        EventContext.Current = null;
                    }
                },
                cancellationToken).ConfigureAwait(false);

            handled = true;
            LogHandled(_logger, metadata.Type.ToString(), attempts);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "stopped");
            throw; // shutting down: not finished, so not committed, so delivered again
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            activity?.SetTag("error.type", exception.GetType().FullName);
            var action = _options.Failures.For(exception).Action;
            if (action == FailureAction.Discard)
            {
                HeraldTelemetry.Skipped.Add(1, tags);
                LogDiscarded(_logger, exception, metadata.Type.ToString(), attempts);
            }
            else if (action == FailureAction.RetryThenDeadLetter && retry.Tier < _options.DelayedRetries.Count)
            {
                await RetryLaterAsync(record, retry, attempts, firstFailure ?? _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await DeadLetterAsync(record, metadata, exception, attempts, cancellationToken, firstFailure, (retry.Topic, retry.Partition, retry.Offset)).ConfigureAwait(false);
            }
        }
        finally
        {
            HeraldTelemetry.ProcessDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }

        if (handled)
        {
            // Outside the failure handling above: the handler succeeded, so a store that fails must not dead-letter it.
            await UntilItWorksAsync(
                async token =>
                {
                    await _processed.MarkProcessedAsync(_options.Group, metadata.Id, token).ConfigureAwait(false);
                    return true;
                },
                "The processed-event store",
                cancellationToken).ConfigureAwait(false);
        }
    }

    private bool HeldByBreaker(Exception exception) =>
        exception is BrokenCircuitException || (_options.CircuitBreaker.Enabled && BreakerState != BreakerState.Closed && IsTransient(exception));

    private bool ShouldRetry(Exception exception, int attempt, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || exception is BrokenCircuitException)
        {
            return false;
        }

        var (action, retries) = _options.Failures.For(exception);
        return action == FailureAction.RetryThenDeadLetter && attempt < (retries ?? _options.Retries);
    }

    private Activity? StartProcessActivity(IncomingRecord record, EventMetadata metadata)
    {
        ActivityContext.TryParse(metadata.TraceParent, metadata.TraceState, out var producer);
        var activity = HeraldTelemetry.Source.StartActivity(
            ActivityKind.Consumer,
            producer,
            links: producer == default ? null : [new ActivityLink(producer)],
            name: $"process {record.Topic}");
        if (activity is not null)
        {
            activity.SetTag("messaging.system", _transport.System);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", record.Topic);
            activity.SetTag("messaging.destination.partition.id", record.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
            activity.SetTag("messaging.consumer.group.name", _options.Group);
            activity.SetTag("messaging.message.id", metadata.Id.ToString());
            activity.SetTag("messaging.kafka.offset", record.Offset);
        }

        return activity;
    }

    /// <summary>Reads which keys have unresolved dead letters, so their later events are parked behind them.</summary>
    public async Task RefreshHeldKeysAsync(CancellationToken cancellationToken)
    {
        if (!_options.HoldKeysBehindDeadLetters)
        {
            return;
        }

        lock (_heldGate)
        {
            _heldSinceRefresh.Clear();
        }

        var letters = await new DeadLetterQueue(_transport).ListAsync(_options.DeadLetterTopicName, null, cancellationToken).ConfigureAwait(false);
        var held = letters.Where(l => l.Key is not null).Select(l => l.Key!).ToHashSet(StringComparer.Ordinal);
        lock (_heldGate)
        {
            held.UnionWith(_heldSinceRefresh); // dead-lettered while the topic was being read
            _heldKeys = held;
        }
    }

    // A redriven event goes through: it is one of the held events coming back, in order.
    private bool IsHeld(IncomingRecord record)
    {
        if (!_options.HoldKeysBehindDeadLetters || record.Key is null || CloudEventHeaders.Find(record.Headers, DeadLetterHeaders.RedrivenFrom) is not null)
        {
            return false;
        }

        lock (_heldGate)
        {
            return _heldKeys.Contains(record.Key);
        }
    }

    private async Task RetryLaterAsync(IncomingRecord record, RetryState retry, int attempts, DateTimeOffset firstFailure, CancellationToken cancellationToken)
    {
        var topic = _options.RetryTopic(retry.Tier + 1);
        await StoreAsync(retry.Next(record, topic, _time.GetUtcNow() + _options.DelayedRetries[retry.Tier], attempts, firstFailure), cancellationToken).ConfigureAwait(false);
        HeraldTelemetry.Retries.Add(1, HeraldTelemetry.Tags(_transport.System, _options.Topic, _options.Group));
        LogRetryLater(_logger, topic, _options.DelayedRetries[retry.Tier]);
    }

    private async Task DeadLetterAsync(IncomingRecord record, EventMetadata? metadata, Exception exception, int attempts, CancellationToken cancellationToken, DateTimeOffset? firstFailure = null, (string Topic, int Partition, long Offset)? origin = null)
    {
        var now = _time.GetUtcNow();
        var letter = DeadLetterHeaders.For(record, _options.DeadLetterTopicName, _options.Group, exception, attempts, firstFailure ?? now, now, origin);
        await StoreAsync(letter, cancellationToken).ConfigureAwait(false);
        if (_options.HoldKeysBehindDeadLetters && record.Key is { } key)
        {
            lock (_heldGate)
            {
                _heldKeys.Add(key);
                _heldSinceRefresh.Add(key);
            }
        }

        HeraldTelemetry.DeadLettered.Add(1, HeraldTelemetry.Tags(_transport.System, record.Topic, _options.Group, record.Partition));
        LogDeadLettered(_logger, exception, metadata?.Type.ToString() ?? "(not an event)", attempts, letter.Topic);
    }

    // A dependency the SDK itself needs (the processed-event store): retried with backoff until it answers or shutdown.
    private async Task<bool> UntilItWorksAsync(Func<CancellationToken, ValueTask<bool>> call, string what, CancellationToken cancellationToken)
    {
        for (var delay = TimeSpan.FromMilliseconds(100); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (!cancellationToken.IsCancellationRequested)
            {
                LogDependencyFailed(_logger, failure, what);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // The event is only finished once it is stored elsewhere: until then this keeps trying, so it is never lost.
    private Task StoreAsync(OutgoingRecord record, CancellationToken cancellationToken) => UntilItWorksAsync(
        async token =>
        {
            try
            {
                await _topics.EnsureAsync(_transport, record.Topic, token).ConfigureAwait(false);
                await _transport.PublishAsync(record, token).ConfigureAwait(false);
                return true;
            }
            catch (PublishException tooLarge) when (tooLarge.ErrorCode == Herald.Broker.ErrorCode.MessageTooLarge && record.Headers.Any(h => h.Key == DeadLetterHeaders.ExceptionStack && h.Value.Length > 0))
            {
                // Our headers pushed it over the topic's limit: keep the event, drop the stack, shorten the message.
                record = record with { Headers = [.. record.Headers.Select(h => h.Key switch
                {
                    DeadLetterHeaders.ExceptionStack => CloudEventHeaders.Header(h.Key, string.Empty),
                    DeadLetterHeaders.ExceptionMessage when h.Value.Length > 512 => new KeyValuePair<string, byte[]>(h.Key, h.Value[..512]),
                    _ => h,
                })] };
                throw;
            }
        },
        "Writing to " + record.Topic,
        cancellationToken);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Error, Message = "{Dependency} failed; trying again")]
    private static partial void LogDependencyFailed(ILogger logger, Exception exception, string dependency);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Will retry in {Delay} through {RetryTopic}")]
    private static partial void LogRetryLater(ILogger logger, string retryTopic, TimeSpan delay);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Warning, Message = "Circuit breaker of {Topic}/{Group} opened: consumption pauses for {BreakDuration} before a probe")]
    private static partial void LogBreakerOpened(ILogger logger, string topic, string group, TimeSpan breakDuration);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Information, Message = "Circuit breaker of {Topic}/{Group} closed: consumption resumes")]
    private static partial void LogBreakerClosed(ILogger logger, string topic, string group);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Debug, Message = "Handled {EventTypeName} after {Attempts} attempt(s)")]
    private static partial void LogHandled(ILogger logger, string eventTypeName, int attempts);

    [LoggerMessage(EventId = 5025, Level = LogLevel.Debug, Message = "Skipped {EventTypeName}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string eventTypeName, string reason);

    [LoggerMessage(EventId = 5026, Level = LogLevel.Warning, Message = "Discarded {EventTypeName} after {Attempts} attempt(s), as its failure rule says")]
    private static partial void LogDiscarded(ILogger logger, Exception exception, string eventTypeName, int attempts);

    [LoggerMessage(EventId = 5027, Level = LogLevel.Error, Message = "Dead-lettered {EventTypeName} after {Attempts} attempt(s) to {DeadLetterTopic}")]
    private static partial void LogDeadLettered(ILogger logger, Exception exception, string eventTypeName, int attempts, string deadLetterTopic);

}
