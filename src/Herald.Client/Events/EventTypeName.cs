using System.Globalization;

namespace Herald.Client;

/// <summary>An event type's wire name and version, written as CloudEvents' <c>type</c>: <c>OrderPlaced.v1</c>.</summary>
public readonly record struct EventTypeName(string Name, int Version)
{
    /// <summary>The CloudEvents type string.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}.v{Version}");

    /// <summary>Parses <c>Name.vN</c>; a type without a version suffix (another producer's) is version 1.</summary>
    public static EventTypeName Parse(string type)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var dot = type.LastIndexOf(".v", StringComparison.Ordinal);
        return dot > 0 && int.TryParse(type.AsSpan(dot + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? new EventTypeName(type[..dot], version)
            : new EventTypeName(type, 1);
    }
}
