namespace Herald.Client;

/// <summary>Where a record published with <see cref="IEventPublisher.PublishRawAsync"/> was stored.</summary>
public sealed record RecordReceipt(string Topic, int Partition, long Offset);
