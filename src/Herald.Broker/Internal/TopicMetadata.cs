namespace Herald.Broker.Internal;

/// <summary>What the broker remembers of a topic: its id, partition count and config overrides.</summary>
internal sealed record TopicMetadata(string Name, Guid Id, int Partitions, Dictionary<string, string> Configs);
