namespace Herald.Broker.Internal;

/// <summary>The content of <c>topics.json</c>.</summary>
internal sealed record TopicCatalogFile(int Version, List<TopicMetadata> Topics);
