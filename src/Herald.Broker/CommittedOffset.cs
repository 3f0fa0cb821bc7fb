namespace Herald.Broker;

/// <summary>A committed position of a consumer group: the next offset it will read, with the metadata string it stored.</summary>
public readonly record struct CommittedOffset(TopicPartition Partition, long Offset, string? Metadata = null);
