namespace Herald.EventSourcing;

/// <summary>An event as the store holds it.</summary>
/// <param name="StreamId">The stream it belongs to.</param>
/// <param name="Version">Its place in the stream, from 0.</param>
/// <param name="Position">Its place in the global order (<c>$all</c>): every event's is unique and later events' are larger.</param>
/// <param name="EventId">Its id.</param>
/// <param name="Type">Its type name with version.</param>
/// <param name="Data">Its JSON body.</param>
/// <param name="Timestamp">When it was appended.</param>
public sealed record RecordedEvent(string StreamId, long Version, long Position, Guid EventId, string Type, ReadOnlyMemory<byte> Data, DateTimeOffset Timestamp)
{
    /// <summary>The id shared by everything one request or workflow caused.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The id of the command or event that caused this one.</summary>
    public string? CausationId { get; init; }

    /// <summary>The W3C trace context of the append.</summary>
    public string? TraceParent { get; init; }
}
