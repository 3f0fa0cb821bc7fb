using System.Text.Json.Nodes;

namespace Herald.Client;

/// <summary>
/// Turns the JSON body of an older version of an event into the next version's, so handlers only ever see the current
/// shape. Register one per step (v1 to v2, v2 to v3); they are applied in a chain.
/// </summary>
public interface IEventUpcaster
{
    /// <summary>The event name it upgrades.</summary>
    string EventName { get; }

    /// <summary>The version it reads; it produces <c>FromVersion + 1</c>.</summary>
    int FromVersion { get; }

    /// <summary>The body in the next version's shape.</summary>
    JsonNode Upcast(JsonNode body);
}
