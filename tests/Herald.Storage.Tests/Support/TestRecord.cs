namespace Herald.Storage.Tests.Support;

/// <summary>A record as a test means it: plain arrays, so that expectations are written independently of the codec's types.</summary>
internal sealed record TestRecord(long Timestamp, byte[]? Key, byte[]? Value, params TestHeader[] Headers);
