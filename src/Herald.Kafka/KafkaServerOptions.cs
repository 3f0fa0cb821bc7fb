using System.Net;

namespace Herald.Kafka;

/// <summary>How the Kafka listener listens, what it tells clients, and what it accepts.</summary>
public sealed record KafkaServerOptions
{
    /// <summary>Kafka's customary port.</summary>
    public const int DefaultPort = 9092;

    /// <summary>The address to listen on. Port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>
    /// The host and port clients are told to connect to (in Metadata and FindCoordinator). Defaults to the listening
    /// address, with the wildcard address replaced by 127.0.0.1.
    /// </summary>
    public DnsEndPoint? Advertise { get; init; }

    /// <summary>This broker's node id, as Metadata lists it.</summary>
    public int NodeId { get; init; } = 1;

    /// <summary>The cluster id clients see.</summary>
    public string ClusterId { get; init; } = "herald";

    /// <summary>The largest request accepted, as Kafka's <c>socket.request.max.bytes</c> (100 MiB).</summary>
    public int MaxRequestBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>The most record bytes one fetch response carries, as Kafka's <c>fetch.max.bytes</c> (55 MiB); at least one batch is always sent.</summary>
    public int MaxFetchBytes { get; init; } = 55 * 1024 * 1024;

    /// <summary>Requests read ahead of their responses on one connection before reading pauses.</summary>
    public int MaxInFlightRequestsPerConnection { get; init; } = 16;

    /// <summary>Whether Metadata and Produce create unknown topics, as Kafka's <c>auto.create.topics.enable</c>.</summary>
    public bool AutoCreateTopics { get; init; } = true;

    /// <summary>Partitions of an auto-created topic; null uses the broker's default.</summary>
    public int? AutoCreatePartitions { get; init; }
}
