namespace Herald.Client;

/// <summary>Handles one event type. Resolved from DI in a new scope for every event, so scoped services (a DbContext) work.</summary>
public interface IEventHandler<in TEvent>
{
    /// <summary>Handles the event; throw to fail it (the consumer's failure rules decide what happens next).</summary>
    Task HandleAsync(TEvent @event, EventContext context, CancellationToken cancellationToken);
}
