using System.Text.Json.Nodes;

namespace Herald.Client;

/// <summary>An upcaster from a delegate.</summary>
public sealed class DelegateUpcaster(string eventName, int fromVersion, Func<JsonNode, JsonNode> upcast) : IEventUpcaster
{
    /// <inheritdoc />
    public string EventName { get; } = eventName;

    /// <inheritdoc />
    public int FromVersion { get; } = fromVersion;

    /// <inheritdoc />
    public JsonNode Upcast(JsonNode body) => upcast(body);
}
