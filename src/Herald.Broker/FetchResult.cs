namespace Herald.Broker;

/// <summary>The outcome of a fetch for one partition.</summary>
/// <param name="Error">Kafka's error code.</param>
/// <param name="BytesWritten">Bytes of whole stored batches written to the destination.</param>
/// <param name="HighWatermark">The offset up to which data is durable and visible to consumers.</param>
/// <param name="LogStartOffset">The first offset the partition holds.</param>
public readonly record struct FetchResult(ErrorCode Error, int BytesWritten, long HighWatermark, long LogStartOffset);
