using System.Net;
using Herald.Broker;
using Herald.Kafka;

namespace Herald.Server;

/// <summary>Everything <see cref="HeraldServer"/> runs, each part with its own options record. Immutable.</summary>
public sealed record HeraldServerOptions
{
    /// <summary>The broker on <c>./data</c>, Kafka on 127.0.0.1:9092 and HTTP on 127.0.0.1:8080.</summary>
    public static HeraldServerOptions Default { get; } = new();

    /// <summary>The broker: data directory, partitions, retention, storage. Defaults to <see cref="BrokerOptions.Default"/>.</summary>
    public BrokerOptions Broker { get; init; } = BrokerOptions.Default;

    /// <summary>The Kafka listener. Defaults to <see cref="KafkaServerOptions.Default"/> (127.0.0.1:9092).</summary>
    public KafkaServerOptions Kafka { get; init; } = KafkaServerOptions.Default;

    /// <summary>The HTTP side (API, console, metrics, health), or null for none. Defaults to <see cref="HttpOptions.Default"/>.</summary>
    public HttpOptions? Http { get; init; } = HttpOptions.Default;

    /// <summary>An event store to show in the API and the console, or null for none (the default).</summary>
    public EventStoreOptions? EventStore { get; init; }

    /// <summary>
    /// Lets a listener bind an address other machines can reach although its clients are not authenticated, so that
    /// anyone who reaches it may read, write and delete every topic. Defaults to false: such an address is refused.
    /// </summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>Whether a listener is reachable from other machines (an address that is not loopback).</summary>
    public bool ReachableFromOtherMachines => !IPAddress.IsLoopback(Kafka.Listen.Address) || (Http is { } http && !IPAddress.IsLoopback(http.Listen.Address));

    /// <summary>Checks every part; throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        Broker.Validate();
        Kafka.Validate();
        Http?.Validate();
        EventStore?.Validate();
        if (ReachableFromOtherMachines && !AllowAnonymous)
        {
            var open = !IPAddress.IsLoopback(Kafka.Listen.Address) ? $"The Kafka listener's address {Kafka.Listen}" : $"The HTTP address {Http!.Listen}";
            throw new ArgumentException(
                $"{open} can be reached from other machines, and clients are not authenticated: anyone who reaches it could read, write and delete every topic. " +
                "Listen on 127.0.0.1, or accept anonymous access explicitly (--allow-anonymous, AllowAnonymous).");
        }
    }
}
