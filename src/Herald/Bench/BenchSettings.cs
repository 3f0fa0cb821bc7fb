using Herald.Broker;
using Herald.Storage;

namespace Herald.Cli.Bench;

/// <summary>What one <c>herald bench</c> run does.</summary>
internal sealed record BenchSettings
{
    public required BenchMode Mode { get; init; }

    /// <summary>HOST:PORT of a Kafka-protocol server; null runs against an embedded broker on --data.</summary>
    public string? Bootstrap { get; init; }

    public long? Messages { get; init; }

    public double? Seconds { get; init; }

    public int Size { get; init; } = 100;

    public int Partitions { get; init; } = 1;

    public int Producers { get; init; } = 1;

    public Acks Acks { get; init; } = Acks.All;

    public bool Idempotent { get; init; }

    public int LingerMs { get; init; } = 5;

    public int BatchBytes { get; init; } = 1_000_000;

    public CompressionType Compression { get; init; } = CompressionType.None;

    /// <summary>Messages per second across all producers; null sends as fast as acknowledgements allow.</summary>
    public double? Rate { get; init; }

    /// <summary>Records per request when producing over HTTP.</summary>
    public int HttpBatchRecords { get; init; } = 100;

    public string Topic { get; init; } = "herald-bench-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>How many messages the run sends: --messages, or --rate × --seconds, or a default.</summary>
    public long? MessageCount => Messages ?? (Rate is { } rate && Seconds is { } seconds ? (long)(rate * seconds) : Seconds is null ? DefaultMessages : null);

    public const long DefaultMessages = 1_000_000;
}
