using System.Text.Json;

namespace Herald.Kafka.Generator;

/// <summary>A version range from a spec: "3+", "1-4", "2", or "none".</summary>
internal readonly record struct Versions(int Low, int High)
{
    public static readonly Versions None = new(1, 0);

    public bool IsNone => Low > High;

    public static Versions Parse(string? text)
    {
        if (text is null or "none")
        {
            return None;
        }

        if (text.EndsWith('+'))
        {
            return new Versions(int.Parse(text[..^1]), short.MaxValue);
        }

        var dash = text.IndexOf('-');
        return dash < 0 ? new Versions(int.Parse(text), int.Parse(text)) : new Versions(int.Parse(text[..dash]), int.Parse(text[(dash + 1)..]));
    }

    public Versions Intersect(Versions other) => new(Math.Max(Low, other.Low), Math.Min(High, other.High));

    public bool Covers(Versions other) => other.IsNone || (Low <= other.Low && High >= other.High);

    /// <summary>A C# condition on <c>version</c>, within the message's valid range <paramref name="valid"/>.</summary>
    public string Condition(Versions valid)
    {
        var effective = Intersect(valid);
        if (effective.IsNone)
        {
            return "false";
        }

        var low = effective.Low > valid.Low ? $"version >= {effective.Low}" : null;
        var high = effective.High < valid.High ? $"version <= {effective.High}" : null;
        return (low, high) switch
        {
            (null, null) => "true",
            (not null, null) => low,
            (null, not null) => high,
            _ => $"{low} && {high}",
        };
    }
}

internal sealed record FieldSpec(
    string Name,
    string Type,
    Versions Versions,
    Versions NullableVersions,
    Versions TaggedVersions,
    int? Tag,
    string? Default,
    string? About,
    IReadOnlyList<FieldSpec>? Fields)
{
    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);

    public string ElementType => IsArray ? Type[2..] : Type;

    public bool IsStruct => !Primitives.Contains(ElementType);

    public bool IsTagged => Tag is not null;

    public static readonly HashSet<string> Primitives =
        ["bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "string", "bytes", "records", "uuid"];

    public static FieldSpec Parse(JsonElement element)
    {
        string? Text(string name) => element.TryGetProperty(name, out var value) ? value.ToString() : null;
        return new FieldSpec(
            Text("name")!,
            Text("type")!,
            Versions.Parse(Text("versions")),
            Versions.Parse(Text("nullableVersions")),
            Versions.Parse(Text("taggedVersions")),
            element.TryGetProperty("tag", out var tag) ? tag.GetInt32() : null,
            Text("default"),
            Text("about"),
            element.TryGetProperty("fields", out var fields) ? [.. fields.EnumerateArray().Select(Parse)] : null);
    }
}

internal sealed record MessageSpec(
    string Name,
    int ApiKey,
    bool IsRequest,
    Versions Valid,
    Versions Flexible,
    IReadOnlyList<FieldSpec> Fields,
    IReadOnlyDictionary<string, IReadOnlyList<FieldSpec>> CommonStructs)
{
    public static MessageSpec Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var root = document.RootElement;
        var common = new Dictionary<string, IReadOnlyList<FieldSpec>>();
        if (root.TryGetProperty("commonStructs", out var structs))
        {
            foreach (var s in structs.EnumerateArray())
            {
                common[s.GetProperty("name").GetString()!] = [.. s.GetProperty("fields").EnumerateArray().Select(FieldSpec.Parse)];
            }
        }

        return new MessageSpec(
            root.GetProperty("name").GetString()!,
            root.GetProperty("apiKey").GetInt32(),
            root.GetProperty("type").GetString() == "request",
            Versions.Parse(root.GetProperty("validVersions").GetString()),
            Versions.Parse(root.GetProperty("flexibleVersions").GetString()),
            [.. root.GetProperty("fields").EnumerateArray().Select(FieldSpec.Parse)],
            common);
    }
}
