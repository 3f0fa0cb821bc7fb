using System.Globalization;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>
/// Writes failed events to a dead-letter topic: the original key, value and headers, plus why and where it failed.
/// </summary>
public static class DeadLetterHeaders
{
    /// <summary>The exception's type name.</summary>
    public const string ExceptionType = "herald-dlq-exception-type";

    /// <summary>The exception's message.</summary>
    public const string ExceptionMessage = "herald-dlq-exception-message";

    /// <summary>The exception's stack trace.</summary>
    public const string ExceptionStack = "herald-dlq-exception-stack";

    /// <summary>How many times the handler ran.</summary>
    public const string Attempts = "herald-dlq-attempts";

    /// <summary>The topic the event was read from.</summary>
    public const string OriginalTopic = "herald-dlq-original-topic";

    /// <summary>Its partition there.</summary>
    public const string OriginalPartition = "herald-dlq-original-partition";

    /// <summary>Its offset there.</summary>
    public const string OriginalOffset = "herald-dlq-original-offset";

    /// <summary>The consumer group that failed it.</summary>
    public const string Group = "herald-dlq-group";

    /// <summary>When it first failed (ISO 8601).</summary>
    public const string FirstFailure = "herald-dlq-first-failure";

    /// <summary>When it last failed (ISO 8601).</summary>
    public const string LastFailure = "herald-dlq-last-failure";

    /// <summary>On a redriven event: the dead letter it came from (<c>dlq-topic/partition:offset</c>).</summary>
    public const string RedrivenFrom = "herald-redriven-from";

    internal static readonly string[] All = [RedrivenFrom, ExceptionType, ExceptionMessage, ExceptionStack, Attempts, OriginalTopic, OriginalPartition, OriginalOffset, Group, FirstFailure, LastFailure];

    // origin: where the event was first read, when that is not this record (a retry tier's).
    internal static OutgoingRecord For(IncomingRecord record, string deadLetterTopic, string group, Exception exception, int attempts, DateTimeOffset firstFailure, DateTimeOffset lastFailure, (string Topic, int Partition, long Offset)? origin = null)
    {
        var (topic, partition, offset) = origin ?? (record.Topic, record.Partition, record.Offset);
        // A redriven event that fails again gets fresh headers; retry-tier headers end here too.
        var headers = record.Headers.Where(h => !All.Contains(h.Key) && !RetryHeaders.All.Contains(h.Key)).ToList();
        headers.Add(CloudEventHeaders.Header(ExceptionType, exception.GetType().FullName ?? exception.GetType().Name));
        headers.Add(CloudEventHeaders.Header(ExceptionMessage, exception.Message));
        headers.Add(CloudEventHeaders.Header(ExceptionStack, exception.StackTrace ?? string.Empty));
        headers.Add(CloudEventHeaders.Header(Attempts, attempts.ToString(CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(OriginalTopic, topic));
        headers.Add(CloudEventHeaders.Header(OriginalPartition, partition.ToString(CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(OriginalOffset, offset.ToString(CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(Group, group));
        headers.Add(CloudEventHeaders.Header(FirstFailure, firstFailure.ToString("O", CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(LastFailure, lastFailure.ToString("O", CultureInfo.InvariantCulture)));
        return new OutgoingRecord(deadLetterTopic, record.Key, headers, record.Value);
    }
}
