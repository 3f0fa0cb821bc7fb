namespace Herald.Server.Api;

/// <summary>
/// A stored record as the API shows it. Key, header values and value are text when they are UTF-8 (the value as JSON
/// when it parses as JSON), otherwise base64, and the matching <c>*Encoding</c> says which.
/// </summary>
public sealed record StoredRecordJson(
    string Topic,
    int Partition,
    long Offset,
    DateTimeOffset Timestamp,
    string? Key,
    string KeyEncoding,
    IReadOnlyList<HeaderJson> Headers,
    object? Value,
    string ValueEncoding,
    int ValueBytes,
    IReadOnlyDictionary<string, string>? CloudEvent);
