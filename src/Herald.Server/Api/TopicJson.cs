namespace Herald.Server.Api;

/// <summary>A topic in the list: size, extent and throughput over the last few seconds.</summary>
public sealed record TopicSummaryJson(string Name, int Partitions, long Records, long SizeBytes, double MessagesPerSecond, double BytesPerSecond);

/// <summary>A topic in full: each partition and every setting with where its value comes from.</summary>
public sealed record TopicJson(string Name, Guid Id, IReadOnlyList<PartitionJson> Partitions, IReadOnlyList<ConfigJson> Configs, double MessagesPerSecond, double BytesPerSecond);

/// <summary>One partition: the offsets it keeps and its size on disk.</summary>
public sealed record PartitionJson(int Partition, long StartOffset, long EndOffset, long Records, long SizeBytes);

/// <summary>A topic setting with Kafka's name, its value in force, and its source: default, broker or topic.</summary>
public sealed record ConfigJson(string Name, string Value, string Source);

/// <summary>A topic to create: its name, a partition count (the broker's default when left out) and setting overrides.</summary>
public sealed record CreateTopicJson(string Name, int? Partitions, Dictionary<string, string>? Configs);

/// <summary>A new partition count for a topic; it can only grow.</summary>
public sealed record PartitionCountJson(int Count);
