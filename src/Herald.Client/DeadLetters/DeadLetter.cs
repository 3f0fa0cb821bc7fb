using System.Globalization;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>A failed event as the dead-letter topic holds it.</summary>
public sealed record DeadLetter(
    int Partition,
    long Offset,
    string? Key,
    string? EventId,
    string? EventType,
    string ExceptionType,
    string ExceptionMessage,
    string ExceptionStack,
    int Attempts,
    string OriginalTopic,
    int OriginalPartition,
    long OriginalOffset,
    string Group,
    DateTimeOffset FirstFailure,
    DateTimeOffset LastFailure)
{
    /// <summary>The record itself: original headers and body, plus the dead-letter headers.</summary>
    public IncomingRecord Record { get; init; } = null!;

    /// <summary>Its place in the dead-letter topic, <c>partition:offset</c>.</summary>
    public string Reference => string.Create(CultureInfo.InvariantCulture, $"{Partition}:{Offset}");

    internal static DeadLetter From(IncomingRecord record)
    {
        string Text(string name) => CloudEventHeaders.Find(record.Headers, name) ?? string.Empty;
        long Number(string name) => CloudEventHeaders.FindNumber(record.Headers, name) ?? -1;
        DateTimeOffset Time(string name) => CloudEventHeaders.FindTime(record.Headers, name) ?? record.Timestamp;
        return new DeadLetter(
            record.Partition,
            record.Offset,
            record.Key,
            CloudEventHeaders.Find(record.Headers, CloudEventHeaders.Id),
            CloudEventHeaders.Find(record.Headers, CloudEventHeaders.Type),
            Text(DeadLetterHeaders.ExceptionType),
            Text(DeadLetterHeaders.ExceptionMessage),
            Text(DeadLetterHeaders.ExceptionStack),
            (int)Number(DeadLetterHeaders.Attempts),
            Text(DeadLetterHeaders.OriginalTopic),
            (int)Number(DeadLetterHeaders.OriginalPartition),
            Number(DeadLetterHeaders.OriginalOffset),
            Text(DeadLetterHeaders.Group),
            Time(DeadLetterHeaders.FirstFailure),
            Time(DeadLetterHeaders.LastFailure))
        {
            Record = record,
        };
    }
}
