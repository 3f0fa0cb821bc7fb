namespace Herald.Client;

/// <summary>Calls one handler, resolved from <paramref name="services"/>, with one event.</summary>
internal delegate Task HandlerInvoker(IServiceProvider services, object @event, EventContext context, CancellationToken cancellationToken);
