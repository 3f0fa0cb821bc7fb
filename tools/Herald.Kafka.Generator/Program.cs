// Generates Herald.Kafka's message codecs from Kafka's JSON message specifications.
// Usage: dotnet run --project tools/Herald.Kafka.Generator -- <spec directory> <output directory>
using Herald.Kafka.Generator;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Herald.Kafka.Generator <spec directory> <output directory>");
    return 2;
}

var specDirectory = args[0];
var outputDirectory = args[1];
Directory.CreateDirectory(outputDirectory);
foreach (var stale in Directory.GetFiles(outputDirectory, "*.g.cs"))
{
    File.Delete(stale);
}

var apis = new List<MessageSpec>();
foreach (var name in Selection.Apis)
{
    foreach (var kind in new[] { "Request", "Response" })
    {
        var spec = MessageSpec.Load(Path.Combine(specDirectory, name + kind + ".json"));
        File.WriteAllText(Path.Combine(outputDirectory, spec.Name + ".g.cs"), new MessageEmitter(spec).Emit());
        apis.Add(spec);
    }
}

File.WriteAllText(Path.Combine(outputDirectory, "ApiCatalog.g.cs"), CatalogEmitter.Emit(apis));
Console.WriteLine($"Wrote {apis.Count} messages to {outputDirectory}");
return 0;
