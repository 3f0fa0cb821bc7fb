namespace Herald.Client.Transport;

/// <summary>Where a published record landed.</summary>
internal readonly record struct PublishResult(int Partition, long Offset);
