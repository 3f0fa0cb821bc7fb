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

    /// <summary>Checks every part; throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        Broker.Validate();
        Kafka.Validate();
        Http?.Validate();
        EventStore?.Validate();
    }
}
