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

    /// <summary>The first Kafka listener. Defaults to <see cref="KafkaServerOptions.Default"/> (PLAINTEXT on 127.0.0.1:9092).</summary>
    public KafkaServerOptions Kafka { get; init; } = KafkaServerOptions.Default;

    /// <summary>
    /// More Kafka listeners on other addresses, each with its own security protocol, as Kafka's <c>listeners</c>: say
    /// SASL_SSL on 0.0.0.0:9093 beside PLAINTEXT on 127.0.0.1:9092. Defaults to none.
    /// </summary>
    public IReadOnlyList<KafkaServerOptions> AdditionalKafkaListeners { get; init; } = [];

    /// <summary>Every Kafka listener: <see cref="Kafka"/>, then <see cref="AdditionalKafkaListeners"/>.</summary>
    public IReadOnlyList<KafkaServerOptions> KafkaListeners => [Kafka, .. AdditionalKafkaListeners];

    /// <summary>Where users are kept and the first administrator. Defaults to <see cref="SecurityOptions.Default"/>.</summary>
    public SecurityOptions Security { get; init; } = SecurityOptions.Default;

    /// <summary>The HTTP side (API, console, metrics, health), or null for none. Defaults to <see cref="HttpOptions.Default"/>.</summary>
    public HttpOptions? Http { get; init; } = HttpOptions.Default;

    /// <summary>An event store to show in the API and the console, or null for none (the default).</summary>
    public EventStoreOptions? EventStore { get; init; }

    /// <summary>
    /// Lets a listener bind an address other machines can reach although its clients are not authenticated, so that
    /// anyone who reaches it may read, write and delete every topic. Defaults to false: such an address is refused.
    /// </summary>
    public bool AllowAnonymous { get; init; }

    /// <summary>
    /// Whether a listener that does not authenticate its clients is reachable from other machines (an address that is
    /// not loopback). The HTTP side does not authenticate yet.
    /// </summary>
    public bool ReachableFromOtherMachines => OpenToOtherMachines.Count > 0;

    /// <summary>The listeners other machines could reach without authenticating, each described for a message.</summary>
    public IReadOnlyList<string> OpenToOtherMachines =>
    [
        .. KafkaListeners.Where(l => !l.Authenticates && !IPAddress.IsLoopback(l.Listen.Address)).Select(l => $"the {l.Protocol.KafkaName()} Kafka listener's address {l.Listen}"),
        .. Http is { } http && !IPAddress.IsLoopback(http.Listen.Address) ? [$"the HTTP address {http.Listen}"] : Array.Empty<string>(),
    ];

    /// <summary>Checks every part; throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        Broker.Validate();
        foreach (var listener in KafkaListeners)
        {
            listener.Validate();
        }

        Http?.Validate();
        EventStore?.Validate();
        Security.Validate();
        if (KafkaListeners.Where(l => l.Listen.Port != 0).GroupBy(l => l.Listen).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"Two Kafka listeners are on {twice.Key}; each needs its own address.");
        }

        if (OpenToOtherMachines is [var open, ..] && !AllowAnonymous)
        {
            throw new ArgumentException(
                $"{char.ToUpperInvariant(open[0])}{open[1..]} can be reached from other machines, and clients are not authenticated: anyone who reaches it could read, write and delete every topic. " +
                "Listen on 127.0.0.1, authenticate clients (a SASL_SSL or SASL_PLAINTEXT listener, or SSL with client certificates required; see docs/security.md), " +
                "or accept anonymous access explicitly (--allow-anonymous, AllowAnonymous).");
        }
    }
}
