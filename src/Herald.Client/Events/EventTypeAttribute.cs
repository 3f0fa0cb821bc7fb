namespace Herald.Client;

/// <summary>
/// Names an event type on the wire, stably: renaming the C# record must not change what consumers see. Use a
/// past-tense name (<c>OrderPlaced</c>) and raise <see cref="Version"/> when the shape changes incompatibly.
/// Without it, an event is named after its type and has version 1.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = false)]
public sealed class EventTypeAttribute(string name) : Attribute
{
    /// <summary>The stable name, such as <c>OrderPlaced</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The version of the shape, from 1.</summary>
    public int Version { get; init; } = 1;
}
