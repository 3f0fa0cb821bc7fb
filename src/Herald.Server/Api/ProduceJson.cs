using System.Text.Json;

namespace Herald.Server.Api;

/// <summary>
/// A produce body in plain JSON: one record, or several under <c>records</c>. For the OpenAPI document; the server
/// reads the body with <see cref="JsonRecordReader"/>.
/// </summary>
public sealed record ProduceJson(IReadOnlyList<RecordJson>? Records, string? Key, JsonElement? Value, string? ValueFormat, Dictionary<string, string>? Headers, int? Partition, DateTimeOffset? Timestamp);

/// <summary>
/// One record to produce. <c>value</c> is stored as its JSON text unless <c>valueFormat</c> says <c>string</c> (the
/// string's UTF-8 bytes) or <c>base64</c> (the decoded bytes); a missing or null value is a tombstone.
/// </summary>
public sealed record RecordJson(string? Key, JsonElement? Value, string? ValueFormat, Dictionary<string, string>? Headers, int? Partition, DateTimeOffset? Timestamp);
