namespace Herald.Server.Api;

/// <summary>
/// A dead letter: where it sits in the dead-letter topic, the event, why it failed and how often, and where it came
/// from. <c>record</c> (the headers and body) is filled in when one letter is shown.
/// </summary>
public sealed record DeadLetterJson(
    string Reference,
    int Partition,
    long Offset,
    string? Key,
    string? EventId,
    string? EventType,
    string ExceptionType,
    string ExceptionMessage,
    string? ExceptionStack,
    int Attempts,
    string OriginalTopic,
    int OriginalPartition,
    long OriginalOffset,
    string Group,
    DateTimeOffset FirstFailure,
    DateTimeOffset LastFailure,
    StoredRecordJson? Record);

/// <summary>A dead-letter topic with the group it belongs to (when its letters say) and how many letters wait in it.</summary>
public sealed record DeadLetterTopicJson(string Topic, string? Group, string? SourceTopic, int Unresolved);

/// <summary>
/// Which dead letters a redrive or purge applies to (every criterion left out matches all) and, for a redrive, another
/// topic to publish to. With <c>dryRun</c> nothing changes.
/// </summary>
public sealed record DeadLetterActionJson(string? Type, string? Error, DateTimeOffset? Since, DateTimeOffset? Until, int? Limit, string? ToTopic, bool DryRun);

/// <summary>The letters a redrive or purge applied to (or, in a dry run, would have).</summary>
public sealed record DeadLetterResultJson(bool DryRun, IReadOnlyList<DeadLetterJson> Letters);
