using Herald.Client.Transport;
using Microsoft.Extensions.Logging;

namespace Herald.Client;

/// <summary>
/// Where an event goes when it can't be handled: discarded, moved to the next delayed-retry tier, or dead-lettered,
/// as the failure rules say. An event is only finished once it is stored elsewhere, so storing retries until it works.
/// </summary>
internal sealed partial class FailureRouter(ConsumerOptions options, IEventTransport transport, TopicMap topics, HeldKeys held, ILogger logger, TimeProvider time)
{
    /// <summary>The handler failed for good (its immediate retries are spent).</summary>
    public Task RouteAsync(IncomingRecord record, EventMetadata metadata, Exception exception, RetryState retry, int attempts, DateTimeOffset? firstFailure, CancellationToken cancellationToken)
    {
        var action = options.Failures.For(exception).Action;
        if (action == FailureAction.Discard)
        {
            HeraldTelemetry.CountSkipped(transport.System, record.Topic, options.Group, record.Partition, "discarded");
            LogDiscarded(logger, exception, metadata.Type.ToString(), attempts);
            return Task.CompletedTask;
        }

        if (action == FailureAction.RetryThenDeadLetter && retry.Tier < options.DelayedRetries.Count)
        {
            return RetryLaterAsync(record, retry, attempts, firstFailure ?? time.GetUtcNow(), cancellationToken);
        }

        return DeadLetterAsync(record, metadata, exception, attempts, cancellationToken, firstFailure, (retry.Topic, retry.Partition, retry.Offset));
    }

    public async Task DeadLetterAsync(IncomingRecord record, EventMetadata? metadata, Exception exception, int attempts, CancellationToken cancellationToken, DateTimeOffset? firstFailure = null, (string Topic, int Partition, long Offset)? origin = null)
    {
        var now = time.GetUtcNow();
        var letter = DeadLetterHeaders.For(record, options.DeadLetterTopicName, options.Group, exception, attempts, firstFailure ?? now, now, origin);
        await StoreAsync(letter, cancellationToken).ConfigureAwait(false);
        held.Add(record.Key);
        HeraldTelemetry.DeadLettered.Add(1, HeraldTelemetry.Tags(transport.System, record.Topic, options.Group, record.Partition));
        LogDeadLettered(logger, exception, metadata?.Type.ToString() ?? "(not an event)", attempts, letter.Topic);
    }

    private async Task RetryLaterAsync(IncomingRecord record, RetryState retry, int attempts, DateTimeOffset firstFailure, CancellationToken cancellationToken)
    {
        var topic = options.RetryTopic(retry.Tier + 1);
        var delay = options.DelayedRetries[retry.Tier];
        await StoreAsync(retry.Next(record, topic, time.GetUtcNow() + delay, attempts, firstFailure), cancellationToken).ConfigureAwait(false);
        HeraldTelemetry.Retries.Add(1, HeraldTelemetry.Tags(transport.System, options.Topic, options.Group));
        LogRetryLater(logger, topic, delay);
    }

    private async Task StoreAsync(OutgoingRecord record, CancellationToken cancellationToken)
    {
        var store = RetryForever.ForDependency("Writing to " + record.Topic, logger, time);
        await store.ExecuteAsync(
            async token =>
            {
                try
                {
                    await topics.EnsureAsync(transport, record.Topic, token).ConfigureAwait(false);
                    await transport.PublishAsync(record, token).ConfigureAwait(false);
                }
                catch (PublishException tooLarge) when (tooLarge.ErrorCode == Herald.Broker.ErrorCode.MessageTooLarge && HasStack(record))
                {
                    record = WithoutStack(record); // our headers pushed it over the topic's limit: keep the event, drop the stack
                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static bool HasStack(OutgoingRecord record) => record.Headers.Any(h => h.Key == DeadLetterHeaders.ExceptionStack && h.Value.Length > 0);

    private static OutgoingRecord WithoutStack(OutgoingRecord record) => record with
    {
        Headers = [.. record.Headers.Select(h => h.Key switch
        {
            DeadLetterHeaders.ExceptionStack => CloudEventHeaders.Header(h.Key, string.Empty),
            DeadLetterHeaders.ExceptionMessage when h.Value.Length > 512 => new KeyValuePair<string, byte[]>(h.Key, h.Value[..512]),
            _ => h,
        })],
    };

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Will retry in {Delay} through {RetryTopic}")]
    private static partial void LogRetryLater(ILogger logger, string retryTopic, TimeSpan delay);

    [LoggerMessage(EventId = 5026, Level = LogLevel.Warning, Message = "Discarded {EventTypeName} after {Attempts} attempt(s), as its failure rule says")]
    private static partial void LogDiscarded(ILogger logger, Exception exception, string eventTypeName, int attempts);

    [LoggerMessage(EventId = 5027, Level = LogLevel.Error, Message = "Dead-lettered {EventTypeName} after {Attempts} attempt(s) to {DeadLetterTopic}")]
    private static partial void LogDeadLettered(ILogger logger, Exception exception, string eventTypeName, int attempts, string deadLetterTopic);
}
