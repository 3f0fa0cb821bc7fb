using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Client;

/// <summary>The event types one handler class handles, by wire name, each with a call into a fresh scope's handler.</summary>
internal sealed class HandlerMap
{
    private readonly Dictionary<string, (EventTypeInfo Type, HandlerInvoker Invoke)> _byName = new(StringComparer.Ordinal);

    public HandlerMap(Type handlerType, EventTypeRegistry types)
    {
        var handled = handlerType.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEventHandler<>)).ToList();
        if (handled.Count == 0)
        {
            throw new InvalidOperationException($"{handlerType.Name} implements no IEventHandler<TEvent>.");
        }

        var bind = typeof(HandlerMap).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;
        foreach (var handler in handled)
        {
            var eventType = handler.GetGenericArguments()[0];
            var info = types.Get(eventType);
            var invoke = (HandlerInvoker)bind.MakeGenericMethod(handlerType, eventType).Invoke(null, null)!;
            _byName[info.Name.Name] = (info, invoke);
        }
    }

    public bool TryFind(string name, out EventTypeInfo type, out HandlerInvoker invoke)
    {
        if (_byName.TryGetValue(name, out var found))
        {
            (type, invoke) = found;
            return true;
        }

        (type, invoke) = (null!, null!);
        return false;
    }

    private static HandlerInvoker Bind<THandler, TEvent>()
        where THandler : IEventHandler<TEvent> =>
        (services, @event, context, cancellationToken) => services.GetRequiredService<THandler>().HandleAsync((TEvent)@event, context, cancellationToken);
}
