using Herald.Client;

namespace Herald.EventSourcing;

/// <summary>Adds the event store to a Herald registration.</summary>
public static class HeraldEventStoreExtensions
{
    /// <summary>
    /// Adds an event store: <c>services.AddHerald(h => ...).AddEventStore(es => es.UseEmbedded("data/events").AddDecider(Order.Decider))</c>.
    /// The store is opened when the host starts and closed with the service provider.
    /// </summary>
    public static HeraldBuilder AddEventStore(this HeraldBuilder herald, Action<EventStoreBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(herald);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new EventStoreBuilder(herald);
        builder.Register();
        configure(builder);
        return herald;
    }
}
