namespace Herald.EventSourcing;

/// <summary>An event handed to a projection: as it was stored, and read back as its registered type.</summary>
/// <param name="Recorded">The stored event: stream, version, position, metadata.</param>
/// <param name="Event">The event, deserialized (and upcast) as its registered type.</param>
public sealed record ProjectedEvent(RecordedEvent Recorded, object Event);
