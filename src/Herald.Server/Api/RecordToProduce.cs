using Herald.Storage;

namespace Herald.Server.Api;

/// <summary>One record a produce request carries, decoded from whichever body format it came in.</summary>
/// <param name="Partition">The partition asked for, or null to choose by key (or spread when there is none).</param>
/// <param name="Key">The record key, or null.</param>
/// <param name="Value">The record value, or null for a tombstone.</param>
/// <param name="Headers">Record headers, CloudEvents attributes as <c>ce_</c> headers included.</param>
/// <param name="Timestamp">Milliseconds since the Unix epoch.</param>
internal sealed record RecordToProduce(int? Partition, byte[]? Key, byte[]? Value, RecordHeader[] Headers, long Timestamp);
