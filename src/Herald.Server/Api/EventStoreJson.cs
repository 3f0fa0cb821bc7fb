namespace Herald.Server.Api;

/// <summary>A stream in the list, with its last version.</summary>
public sealed record StreamSummaryJson(string Id, long? Version);

/// <summary>A page of one stream's events, and the version the next page starts at (null at the end).</summary>
public sealed record StreamJson(string Id, long? Version, IReadOnlyList<StoredEventJson> Events, long? Next);

/// <summary>A page of <c>$all</c>, and the position the next page starts at (null at the end).</summary>
public sealed record AllEventsJson(IReadOnlyList<StoredEventJson> Events, long? Next);

/// <summary>A stored event: where it is, what it is, its body (as JSON when it parses) and its metadata.</summary>
public sealed record StoredEventJson(
    string StreamId,
    long Version,
    long Position,
    Guid EventId,
    string Type,
    object? Data,
    DateTimeOffset Timestamp,
    string? CorrelationId,
    string? CausationId,
    string? TraceParent);
