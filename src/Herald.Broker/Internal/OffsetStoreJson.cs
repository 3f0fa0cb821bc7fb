using System.Text.Json.Serialization;

namespace Herald.Broker.Internal;

[JsonSerializable(typeof(GroupOffsetsFile))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class OffsetStoreJson : JsonSerializerContext;
