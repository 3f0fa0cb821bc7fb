namespace Herald.Server.Api;

/// <summary>
/// Every record of one trace or correlation id found across the topics in a time window, oldest first. <c>cut</c> says
/// the search stopped at its byte budget before it had read every topic to the window's end; narrow the window or the
/// topics to see the rest.
/// </summary>
public sealed record TraceJson(IReadOnlyList<StoredRecordJson> Records, DateTimeOffset Since, DateTimeOffset Until, int TopicsSearched, long ScannedRecords, long ScannedBytes, bool Cut);
