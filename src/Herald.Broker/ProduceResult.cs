namespace Herald.Broker;

/// <summary>The outcome of a produce request for one partition.</summary>
/// <param name="Error">Kafka's error code.</param>
/// <param name="BaseOffset">The offset given to the first record, or -1.</param>
/// <param name="LogStartOffset">The partition's log start offset, or -1.</param>
/// <param name="Message">What was wrong, for people, when the records were refused; otherwise null.</param>
public readonly record struct ProduceResult(ErrorCode Error, long BaseOffset, long LogStartOffset, string? Message = null);
