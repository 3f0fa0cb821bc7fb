using System.Globalization;
using Herald.Client.Transport;

namespace Herald.Client;

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
