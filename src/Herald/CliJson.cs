using System.Text.Json.Serialization;
using Herald.Cli.Commands;

namespace Herald.Cli;

[JsonSerializable(typeof(TopicJson))]
[JsonSerializable(typeof(TopicJson[]), TypeInfoPropertyName = "TopicJsonArray")]
[JsonSerializable(typeof(RecordJson))]
[JsonSerializable(typeof(GroupJson))]
[JsonSerializable(typeof(Bench.BenchReport))]
[JsonSerializable(typeof(LagJson[]), TypeInfoPropertyName = "LagJsonArray")]
[JsonSerializable(typeof(string[]), TypeInfoPropertyName = "StringArray")]
[JsonSerializable(typeof(DeadLetterJson))]
[JsonSerializable(typeof(EventJson))]
[JsonSerializable(typeof(AppendJson))]
[JsonSerializable(typeof(DeadLetterJson[]), TypeInfoPropertyName = "DeadLetterJsonArray")]
[JsonSerializable(typeof(Commands.UserJson[]), TypeInfoPropertyName = "UserJsonArray")]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class CliJson : JsonSerializerContext;
