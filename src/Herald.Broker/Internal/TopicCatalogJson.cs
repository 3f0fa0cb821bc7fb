using System.Text.Json.Serialization;

namespace Herald.Broker.Internal;

[JsonSerializable(typeof(TopicCatalogFile))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class TopicCatalogJson : JsonSerializerContext;
