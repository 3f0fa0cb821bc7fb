using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Herald.Client;

/// <summary>
/// Calls a dependency the SDK itself needs (the processed-event store, the topic a failed event is moved to) until it
/// answers or the consumer stops: backoff from 100 ms to 30 s, each failure logged. Giving up would lose the event.
/// </summary>
internal static partial class DependencyRetry
{
    public static ResiliencePipeline Create(string what, ILogger logger, TimeProvider time) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    LogDependencyFailed(logger, args.Outcome.Exception!, what, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    [LoggerMessage(EventId = 5020, Level = LogLevel.Error, Message = "{Dependency} failed; trying again in {Delay}")]
    private static partial void LogDependencyFailed(ILogger logger, Exception exception, string dependency, TimeSpan delay);
}
