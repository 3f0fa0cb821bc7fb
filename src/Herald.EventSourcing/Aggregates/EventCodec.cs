using System.Diagnostics;
using Herald.Client;

namespace Herald.EventSourcing;

/// <summary>
/// Turns events into what the store keeps and back, with the SDK's <c>[EventType]</c> names, JSON serializer and
/// upcasters, so an event has one name whether it is stored, published or consumed.
/// </summary>
internal sealed class EventCodec(EventTypeRegistry types, EventSerializer serializer)
{
    /// <param name="event">The event.</param>
    /// <param name="correlationId">Used when no event is being handled on this flow; the handled event's correlation wins otherwise.</param>
    public EventData Encode(object @event, string? correlationId = null)
    {
        var type = types.Get(@event.GetType());
        return new EventData(Guid.CreateVersion7(), type.Name.ToString(), serializer.Serialize(@event, type.Type))
        {
            CorrelationId = EventContext.Current?.Metadata.CorrelationId ?? correlationId,
            CausationId = EventContext.Current?.Metadata.Id.ToString(),
            TraceParent = Activity.Current?.Id,
        };
    }

    public byte[] EncodeState<TState>(TState state) => serializer.Serialize(state!, typeof(TState));

    /// <summary>The state a snapshot holds, or null when it can't be read as <typeparamref name="TState"/> any more.</summary>
    public bool TryDecodeState<TState>(ReadOnlyMemory<byte> json, out TState state)
    {
        try
        {
            state = (TState)serializer.DeserializeValue(json, typeof(TState))!;
            return state is not null;
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or NotSupportedException or InvalidCastException)
        {
            state = default!;
            return false;
        }
    }

    /// <summary>The event read as its registered type, or null when its type is not registered.</summary>
    /// <exception cref="InvalidEventException">The body can't be read as its type.</exception>
    public object? DecodeIfKnown(RecordedEvent recorded)
    {
        var written = EventTypeName.Parse(recorded.Type);
        return types.Find(written.Name) is { } type ? serializer.Deserialize(recorded.Data, written, type) : null;
    }

    /// <exception cref="InvalidEventException">The type is not registered, or the body can't be read as it.</exception>
    public object Decode(RecordedEvent recorded)
    {
        var written = EventTypeName.Parse(recorded.Type);
        var type = types.Find(written.Name) ?? throw new InvalidEventException($"{recorded.StreamId}@{recorded.Version} is a {recorded.Type}, which is not registered; add it with AddEvent<T>().");
        return serializer.Deserialize(recorded.Data, written, type);
    }
}
