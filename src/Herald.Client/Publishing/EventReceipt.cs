namespace Herald.Client;

/// <summary>What was published and where it was stored.</summary>
public sealed record EventReceipt(EventMetadata Metadata, string Topic, int Partition, long Offset);
