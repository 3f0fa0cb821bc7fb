using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Herald.Client;

/// <summary>
/// Retries until the call works or the caller stops, with exponential backoff: for what the SDK can't do without (the
/// processed-event store, the topic a failed event moves to, a consumer's connection), where giving up would lose an
/// event or stop a consumer for good.
/// </summary>
internal static partial class RetryForever
{
    public static ResiliencePipeline Create(TimeSpan firstDelay, TimeSpan maxDelay, TimeProvider time, Action<Exception, TimeSpan> onRetry) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = firstDelay,
                MaxDelay = maxDelay,
                OnRetry = args =>
                {
                    onRetry(args.Outcome.Exception!, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>From 100 ms to 30 s, each failure logged as <paramref name="what"/> failing.</summary>
    public static ResiliencePipeline ForDependency(string what, ILogger logger, TimeProvider time) =>
        Create(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), time, (failure, delay) => LogDependencyFailed(logger, failure, what, delay));

    [LoggerMessage(EventId = 5020, Level = LogLevel.Error, Message = "{Dependency} failed; trying again in {Delay}")]
    private static partial void LogDependencyFailed(ILogger logger, Exception exception, string dependency, TimeSpan delay);
}
