namespace Herald.EventSourcing;

/// <summary>An event to append: its id, its type (as the SDK names it, <c>OrderPlaced.v1</c>), its JSON body, and where it came from.</summary>
/// <param name="EventId">The event's id (a UUIDv7). Appending the same id again is recognised and not stored twice.</param>
/// <param name="Type">The event type name with its version.</param>
/// <param name="Data">The body, JSON.</param>
public sealed record EventData(Guid EventId, string Type, ReadOnlyMemory<byte> Data)
{
    /// <summary>The id shared by everything one request or workflow caused.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The id of the command or event that caused this one.</summary>
    public string? CausationId { get; init; }

    /// <summary>The W3C trace context of the append, so projections and relays link back to it.</summary>
    public string? TraceParent { get; init; }
}
