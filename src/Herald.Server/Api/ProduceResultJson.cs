namespace Herald.Server.Api;

/// <summary>Where each record of a produce request went, in the order they were sent.</summary>
public sealed record ProduceResultJson(IReadOnlyList<RecordPositionJson> Records);

/// <summary>A produced record's partition and offset, or the error that refused it.</summary>
public sealed record RecordPositionJson(int Partition, long Offset, string? Error = null, short? ErrorCode = null);
