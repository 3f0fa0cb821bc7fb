using System.Diagnostics;
using Herald.Client.Transport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Herald.Client;

/// <summary>
/// Runs a handler in a fresh scope under the consumer's resilience pipeline: immediate retries (exponential backoff
/// with jitter, as the failure rules allow), a circuit breaker over transient failures, and, while the breaker is not
/// closed, a probe every quarter of its break that keeps the event until the dependency is back.
/// </summary>
internal sealed partial class HandlerExecution
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ConsumerOptions _options;
    private readonly string _system;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();

    public HandlerExecution(IServiceScopeFactory scopes, ConsumerOptions options, string system, ILogger logger, TimeProvider time)
    {
        _scopes = scopes;
        _options = options;
        _system = system;
        _logger = logger;
        _time = time;
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
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
                OnRetry = _ =>
                {
                    HeraldTelemetry.Retries.Add(1, HeraldTelemetry.Tags(_system, _options.Topic, _options.Group));
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

    /// <summary>
    /// Runs <paramref name="invoke"/> until it succeeds or its retries are spent, in a "process" span and timed; only a
    /// stop throws.
    /// </summary>
    public async Task<HandlerOutcome> RunAsync(IncomingRecord record, HandlerInvoker invoke, object @event, EventContext first, RetryState retry, TagList tags, CancellationToken cancellationToken)
    {
        using var activity = ProcessActivity.Start(record, first.Metadata, _system, _options.Group);
        var started = Stopwatch.GetTimestamp();
        var attempts = retry.Attempts;
        DateTimeOffset? firstFailure = retry.FirstFailure;
        try
        {
            await _pipeline.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    var context = attempts == first.Attempt ? first : first.WithAttempt(attempts);
                    await using var scope = _scopes.CreateAsyncScope();
                    EventContext.Current = context;
                    try
                    {
                        await invoke(scope.ServiceProvider, @event, context, token).ConfigureAwait(false);
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
            LogHandled(_logger, first.Metadata.Type.ToString(), attempts);
            return new HandlerOutcome(attempts, null, firstFailure);
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
            return new HandlerOutcome(attempts, exception, firstFailure);
        }
        finally
        {
            HeraldTelemetry.ProcessDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }

    private bool IsTransient(Exception exception) =>
        exception is not BrokenCircuitException and not InvalidEventException && _options.Failures.For(exception).Action == FailureAction.RetryThenDeadLetter;

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

    [LoggerMessage(EventId = 5022, Level = LogLevel.Warning, Message = "Circuit breaker of {Topic}/{Group} opened: consumption pauses for {BreakDuration} before a probe")]
    private static partial void LogBreakerOpened(ILogger logger, string topic, string group, TimeSpan breakDuration);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Information, Message = "Circuit breaker of {Topic}/{Group} closed: consumption resumes")]
    private static partial void LogBreakerClosed(ILogger logger, string topic, string group);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Debug, Message = "Handled {EventTypeName} after {Attempts} attempt(s)")]
    private static partial void LogHandled(ILogger logger, string eventTypeName, int attempts);
}
