using System.Text.Json.Serialization;

namespace Herald.Broker.Internal;

/// <summary>What the broker remembers of a topic: its id, partition count and config overrides.</summary>
internal sealed record TopicMetadata(string Name, Guid Id, int Partitions, Dictionary<string, string> Configs);

/// <summary>The content of <c>topics.json</c>.</summary>
internal sealed record TopicCatalogFile(int Version, List<TopicMetadata> Topics);

[JsonSerializable(typeof(TopicCatalogFile))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class TopicCatalogJson : JsonSerializerContext;
