namespace Herald.Storage.Internal;

/// <summary>Where one record sits in its batch: what offset and timestamp lookups and produce checks need of it.</summary>
internal readonly record struct RecordStamp(int OffsetDelta, long TimestampDelta);
