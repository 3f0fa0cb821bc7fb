namespace Herald.Client;

/// <summary>An event read by <see cref="EventStream"/>.</summary>
public sealed class ReceivedEvent<TEvent>(TEvent @event, EventContext context)
{
    /// <summary>The event.</summary>
    public TEvent Event { get; } = @event;

    /// <summary>Its envelope and origin.</summary>
    public EventContext Context { get; } = context;

    internal bool Acknowledged { get; private set; }

    /// <summary>Counts the event as processed even if the loop ends before asking for the next one.</summary>
    public void Acknowledge() => Acknowledged = true;
}
