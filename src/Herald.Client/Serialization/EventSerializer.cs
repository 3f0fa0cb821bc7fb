using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Client;

/// <summary>
/// Event bodies as JSON through System.Text.Json. Give <see cref="HeraldOptions.Json"/> a source-generated
/// <c>TypeInfoResolver</c> to avoid reflection. Bodies of older versions pass through the registered upcasters first.
/// </summary>
internal sealed class EventSerializer(EventTypeRegistry types, JsonSerializerOptions options)
{
    /// <summary>The body of <paramref name="event"/>.</summary>
    public byte[] Serialize(object @event, Type type) => JsonSerializer.SerializeToUtf8Bytes(@event, type, options);

    /// <summary>Any value (an aggregate's snapshot, say) as JSON with the same settings as events.</summary>
    public object? DeserializeValue(ReadOnlyMemory<byte> json, Type type) => JsonSerializer.Deserialize(json.Span, type, options);

    /// <summary>
    /// The body as <paramref name="target"/>'s current version. Throws <see cref="InvalidEventException"/> when the body
    /// does not parse, is newer than this service knows, or an upcaster step is missing.
    /// </summary>
    public object Deserialize(ReadOnlyMemory<byte> body, EventTypeName written, EventTypeInfo target)
    {
        try
        {
            if (written.Version == target.Name.Version)
            {
                return JsonSerializer.Deserialize(body.Span, target.Type, options) ?? throw new InvalidEventException($"{written} has a null body.");
            }

            if (written.Version > target.Name.Version)
            {
                throw new InvalidEventException($"{written} is newer than the v{target.Name.Version} this service knows; deploy the newer event type first.");
            }

            var node = JsonNode.Parse(body.Span) ?? throw new InvalidEventException($"{written} has a null body.");
            for (var version = written.Version; version < target.Name.Version; version++)
            {
                var upcaster = types.FindUpcaster(written.Name, version)
                    ?? throw new InvalidEventException($"No upcaster from {written.Name} v{version} to v{version + 1}.");
                node = upcaster.Upcast(node);
            }

            return node.Deserialize(target.Type, options) ?? throw new InvalidEventException($"{written} upcast to a null body.");
        }
        catch (JsonException exception)
        {
            throw new InvalidEventException($"The body of {written} is not valid JSON for {target.Type.Name}: {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is not InvalidEventException and not OperationCanceledException)
        {
            // An upcaster that throws, or a type System.Text.Json cannot build: the event cannot be read, now or later.
            throw new InvalidEventException($"{written} could not be read as {target.Type.Name}: {exception.Message}", exception);
        }
    }
}
