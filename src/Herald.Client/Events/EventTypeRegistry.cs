using System.Collections.Concurrent;
using System.Reflection;

namespace Herald.Client;

/// <summary>
/// The event types a service knows: their wire names and versions, how to find their keys, and the upcasters that
/// bring older versions up to date. Types are learnt when first published or handled, or registered up front.
/// </summary>
internal sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<Type, EventTypeInfo> _byType = new();
    private readonly ConcurrentDictionary<string, EventTypeInfo> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Name, int FromVersion), IEventUpcaster> _upcasters = new();

    /// <summary>What Herald knows about <paramref name="type"/>, learning it on first use.</summary>
    public EventTypeInfo Get(Type type) => _byType.GetOrAdd(type, Learn);

    /// <summary>Registers <typeparamref name="TEvent"/>, optionally with a key selector that wins over <see cref="EventKeyAttribute"/>.</summary>
    public EventTypeInfo Register<TEvent>(Func<TEvent, string?>? key = null)
    {
        var info = Learn(typeof(TEvent)) with { Key = key is null ? Learn(typeof(TEvent)).Key : e => key((TEvent)e) };
        _byType[typeof(TEvent)] = info;
        _byName[info.Name.Name] = info;
        return info;
    }

    /// <summary>Adds an upcaster for one version step.</summary>
    public void AddUpcaster(IEventUpcaster upcaster)
    {
        ArgumentNullException.ThrowIfNull(upcaster);
        if (!_upcasters.TryAdd((upcaster.EventName, upcaster.FromVersion), upcaster))
        {
            throw new InvalidOperationException($"An upcaster from {upcaster.EventName} v{upcaster.FromVersion} is already registered.");
        }
    }

    /// <summary>The registered type with this wire name, if any.</summary>
    public EventTypeInfo? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The upcaster from this version, if any.</summary>
    public IEventUpcaster? FindUpcaster(string name, int fromVersion) => _upcasters.GetValueOrDefault((name, fromVersion));

    private EventTypeInfo Learn(Type type)
    {
        var attribute = type.GetCustomAttribute<EventTypeAttribute>();
        var name = new EventTypeName(attribute?.Name ?? type.Name, attribute?.Version ?? 1);
        if (name.Version < 1)
        {
            throw new InvalidOperationException($"{type}: event versions start at 1.");
        }

        var keyProperty = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => p.IsDefined(typeof(EventKeyAttribute)));
        Func<object, string?>? key = keyProperty is null ? null : e => keyProperty.GetValue(e)?.ToString();
        var info = new EventTypeInfo(type, name, key);
        _byName.TryAdd(name.Name, info);
        return info;
    }
}
