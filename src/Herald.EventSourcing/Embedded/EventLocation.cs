namespace Herald.EventSourcing.Embedded;

/// <summary>Where a stored event is: its stream and its version there.</summary>
internal readonly record struct EventLocation(StreamEntry Stream, long Version);
