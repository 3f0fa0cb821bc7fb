namespace Herald.EventSourcing;

/// <summary>
/// What a relay publishes from the store: which events, to which topic, and which integration event stands in for a
/// domain event. Configured in <c>AddRelay(name, relay =&gt; ...)</c>; checked when the host starts.
/// </summary>
public sealed class RelayOptions
{
    private readonly Dictionary<Type, Func<object, RecordedEvent, object?>> _maps = [];

    /// <summary>The events relayed. Defaults to every event whose type is registered.</summary>
    public EventFilter Filter { get; set; } = EventFilter.None;

    /// <summary>The topic every event is published to; null (the default) uses each type's <c>MapTopic</c>.</summary>
    public string? Topic { get; set; }

    /// <summary>Whether events of types with no <see cref="Map{TEvent}"/> are published as they are. Defaults to true.</summary>
    public bool PublishUnmapped { get; set; } = true;

    /// <summary>How many events are published together before the checkpoint is saved. Defaults to 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Publishes what <paramref name="map"/> returns instead of each <typeparamref name="TEvent"/> (an integration
    /// event, such as full state for event-carried state transfer), or nothing when it returns null. The result's type
    /// must be registered with <c>AddEvent&lt;T&gt;()</c>; it keeps the stored event's id, so a consumer drops a repeat.
    /// </summary>
    public RelayOptions Map<TEvent>(Func<TEvent, RecordedEvent, object?> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        _maps[typeof(TEvent)] = (e, recorded) => map((TEvent)e, recorded);
        return this;
    }

    /// <summary>What to publish for <paramref name="event"/>: its mapping's result, itself, or null for nothing.</summary>
    internal object? Publishable(object @event, RecordedEvent recorded) =>
        _maps.TryGetValue(@event.GetType(), out var map) ? map(@event, recorded) : PublishUnmapped ? @event : null;

    internal void Validate(string name)
    {
        Projection.CheckName(name);
        if (BatchSize is < 1 or > 10_000)
        {
            throw new ArgumentException($"Relay '{name}': BatchSize must be 1 to 10,000, got {BatchSize}.");
        }

        if (Topic is "")
        {
            throw new ArgumentException($"Relay '{name}': Topic must be null (each type's mapped topic) or a topic name.");
        }
    }
}
