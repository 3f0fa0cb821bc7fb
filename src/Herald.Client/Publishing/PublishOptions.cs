namespace Herald.Client;

/// <summary>Per-publish choices; anything left null is taken from the event and its registration.</summary>
public sealed record PublishOptions
{
    /// <summary>The topic, instead of the mapped one.</summary>
    public string? Topic { get; init; }

    /// <summary>The ordering key, instead of the event's own.</summary>
    public string? Key { get; init; }

    /// <summary>The correlation id; by default the one of the event being handled, if any, else the new event's id.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The causing event's or command's id.</summary>
    public string? CausationId { get; init; }

    /// <summary>The event id, for a caller that must publish the same event again (it then stays idempotent).</summary>
    public Guid? Id { get; init; }
}
