namespace Herald.Client;

/// <summary>Which dead letters an operation applies to; every criterion left null matches all.</summary>
public sealed record DeadLetterFilter
{
    internal static readonly DeadLetterFilter All = new();

    /// <summary>The event type, with or without its version: <c>OrderPlaced</c> or <c>OrderPlaced.v2</c>.</summary>
    public string? EventType { get; init; }

    /// <summary>The exception type, by full or short name: <c>System.TimeoutException</c> or <c>TimeoutException</c>.</summary>
    public string? ErrorType { get; init; }

    /// <summary>Only those that last failed at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only those that last failed before this time.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>At most this many, oldest first.</summary>
    public int? Limit { get; init; }

    internal bool Matches(DeadLetter letter) =>
        (EventType is null || letter.EventType == EventType || (letter.EventType is { } type && EventTypeName.Parse(type).Name == EventType))
        && (ErrorType is null || letter.ExceptionType == ErrorType || letter.ExceptionType.EndsWith("." + ErrorType, StringComparison.Ordinal))
        && (Since is null || letter.LastFailure >= Since)
        && (Until is null || letter.LastFailure < Until);
}
