namespace Herald.Server.Api;

/// <summary>
/// A page of browsed records. <c>next</c> continues where this page stopped (null once every partition was read to its
/// end); <c>cut</c> says the page stopped because it read as much as one request may, not because it found enough.
/// </summary>
public sealed record BrowseJson(IReadOnlyList<StoredRecordJson> Records, string? Next, long ScannedRecords, long ScannedBytes, bool Cut);
