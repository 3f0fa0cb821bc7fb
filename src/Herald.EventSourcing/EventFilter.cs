namespace Herald.EventSourcing;

/// <summary>Which events of <c>$all</c> a reader wants: by stream prefix, by event type, or both. Empty takes all.</summary>
public sealed record EventFilter
{
    /// <summary>Every event.</summary>
    public static EventFilter None { get; } = new();

    /// <summary>Only streams whose id starts with one of these.</summary>
    public IReadOnlyList<string> StreamPrefixes { get; init; } = [];

    /// <summary>Only these event types. A name without <c>.vN</c> matches every version.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    /// <summary>Events of streams starting with <paramref name="prefixes"/>.</summary>
    public static EventFilter ForStreams(params string[] prefixes) => new() { StreamPrefixes = prefixes };

    /// <summary>Events of the types <paramref name="types"/>.</summary>
    public static EventFilter ForTypes(params string[] types) => new() { EventTypes = types };

    /// <summary>Whether <paramref name="streamId"/>'s event of type <paramref name="type"/> passes.</summary>
    public bool Matches(string streamId, string type) =>
        (StreamPrefixes.Count == 0 || StreamPrefixes.Any(p => streamId.StartsWith(p, StringComparison.Ordinal)))
        && (EventTypes.Count == 0 || EventTypes.Any(t => t == type || (type.StartsWith(t, StringComparison.Ordinal) && type.AsSpan(t.Length).StartsWith(".v"))));
}
