namespace Herald.Cli.Commands;

internal sealed record DeadLetterJson(
    string Letter,
    string? EventId,
    string? EventType,
    string? Key,
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
    Dictionary<string, string>? Headers,
    string? Body);
