namespace Herald.Broker;

/// <summary>How far a group is behind on one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Committed">The group's committed offset, or -1 when it has none.</param>
/// <param name="HighWatermark">The end of the partition's durable data.</param>
/// <param name="Lag">Records between the committed offset (or the log start) and the high watermark.</param>
public readonly record struct PartitionLag(TopicPartition Partition, long Committed, long HighWatermark, long Lag);
