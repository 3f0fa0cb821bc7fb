using System.Globalization;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>
/// Non-blocking delayed retries. An event that still fails after its immediate retries moves to the next retry topic,
/// <c>{topic}.{group}.retry-{n}</c>, with a due time; its partition goes on at once. Each retry topic has one delay, so
/// its events are in due order: the retry consumer waits for the head's due time without holding up the main topic.
/// After the last tier, the event is dead-lettered, with its original topic, partition and offset.
/// </summary>
public static class RetryHeaders
{
    /// <summary>Which retry topic this is (1 for the first).</summary>
    public const string Tier = "herald-retry-tier";

    /// <summary>When the event may be tried again (ISO 8601).</summary>
    public const string Due = "herald-retry-due";

    /// <summary>Handler attempts so far, over every tier.</summary>
    public const string Attempts = "herald-retry-attempts";

    /// <summary>When it first failed (ISO 8601).</summary>
    public const string FirstFailure = "herald-retry-first-failure";

    /// <summary>The topic the event was first read from.</summary>
    public const string OriginalTopic = "herald-retry-original-topic";

    /// <summary>Its partition there.</summary>
    public const string OriginalPartition = "herald-retry-original-partition";

    /// <summary>Its offset there.</summary>
    public const string OriginalOffset = "herald-retry-original-offset";

    internal static readonly string[] All = [Tier, Due, Attempts, FirstFailure, OriginalTopic, OriginalPartition, OriginalOffset];
}

/// <summary>Where a record stands in the retry tiers: tier 0 is the main topic.</summary>
internal sealed record RetryState(int Tier, DateTimeOffset? Due, int Attempts, DateTimeOffset? FirstFailure, string Topic, int Partition, long Offset)
{
    public static RetryState Of(IncomingRecord record)
    {
        var headers = record.Headers;
        if (CloudEventHeaders.FindNumber(headers, RetryHeaders.Tier) is not { } tier)
        {
            return new RetryState(0, null, 0, null, record.Topic, record.Partition, record.Offset);
        }

        return new RetryState(
            (int)tier,
            CloudEventHeaders.FindTime(headers, RetryHeaders.Due),
            (int)(CloudEventHeaders.FindNumber(headers, RetryHeaders.Attempts) ?? 0),
            CloudEventHeaders.FindTime(headers, RetryHeaders.FirstFailure),
            CloudEventHeaders.Find(headers, RetryHeaders.OriginalTopic) ?? record.Topic,
            (int)(CloudEventHeaders.FindNumber(headers, RetryHeaders.OriginalPartition) ?? record.Partition),
            CloudEventHeaders.FindNumber(headers, RetryHeaders.OriginalOffset) ?? record.Offset);
    }

    /// <summary>The record for the next tier.</summary>
    public OutgoingRecord Next(IncomingRecord record, string topic, DateTimeOffset due, int attempts, DateTimeOffset firstFailure)
    {
        var headers = record.Headers.Where(h => !RetryHeaders.All.Contains(h.Key)).ToList();
        headers.Add(CloudEventHeaders.Header(RetryHeaders.Tier, (Tier + 1).ToString(CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(RetryHeaders.Due, due.ToString("O", CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(RetryHeaders.Attempts, attempts.ToString(CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(RetryHeaders.FirstFailure, firstFailure.ToString("O", CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(RetryHeaders.OriginalTopic, Topic));
        headers.Add(CloudEventHeaders.Header(RetryHeaders.OriginalPartition, Partition.ToString(CultureInfo.InvariantCulture)));
        headers.Add(CloudEventHeaders.Header(RetryHeaders.OriginalOffset, Offset.ToString(CultureInfo.InvariantCulture)));
        return new OutgoingRecord(topic, record.Key, headers, record.Value);
    }
}
