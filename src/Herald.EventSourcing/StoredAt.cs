namespace Herald.EventSourcing;

/// <summary>Where an event id is stored: its stream and its version there.</summary>
internal readonly record struct StoredAt(string StreamId, long Version);
