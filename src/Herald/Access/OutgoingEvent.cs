using Herald.Storage;

namespace Herald.Cli.Access;

/// <summary>One event the CLI sends.</summary>
internal sealed record OutgoingEvent(byte[]? Key, byte[] Value, RecordHeader[] Headers, long Timestamp);
