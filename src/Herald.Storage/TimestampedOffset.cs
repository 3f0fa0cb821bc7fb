namespace Herald.Storage;

/// <summary>A record's offset and its timestamp (Unix milliseconds), as timestamp lookups find them.</summary>
public readonly record struct TimestampedOffset(long Offset, long Timestamp);
