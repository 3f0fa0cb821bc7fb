using Herald.Storage;

namespace Herald.Broker;

/// <summary>Settings of a broker, embedded or served. Immutable.</summary>
public sealed record BrokerOptions
{
    /// <summary>The defaults: data in <c>./data</c>, on disk.</summary>
    public static BrokerOptions Default { get; } = new();

    /// <summary>Where topics, partitions and metadata live. Defaults to <c>data</c> under the working directory.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>Keep everything in memory, with the same semantics, for tests. Defaults to false.</summary>
    public bool InMemory { get; init; }

    /// <summary>Partitions of a topic created without a count (auto-created topics). Defaults to 1, as Kafka's num.partitions.</summary>
    public int DefaultPartitions { get; init; } = 1;

    /// <summary>
    /// The most partitions the broker holds across all topics; a create that would pass it is refused with
    /// <see cref="ErrorCode.PolicyViolation"/>. Every partition keeps files open, so this also bounds file descriptors.
    /// Defaults to 10,000.
    /// </summary>
    public int MaxPartitions { get; init; } = 10_000;

    /// <summary>
    /// The most partitions one request may create, for one topic or across the topics of one CreateTopics request, as a
    /// KRaft controller bounds a single operation; more is refused with <see cref="ErrorCode.InvalidPartitions"/> or,
    /// across topics, <see cref="ErrorCode.PolicyViolation"/>. Defaults to 10,000.
    /// </summary>
    public int MaxPartitionsPerRequest { get; init; } = 10_000;

    /// <summary>Storage settings every partition starts from; topic configs override retention and segment settings.</summary>
    public LogOptions Log { get; init; } = LogOptions.Default with { FlushPolicy = FlushPolicy.EveryInterval(TimeSpan.FromMilliseconds(20)) };

    /// <summary>How often the broker applies retention to every partition (log.retention.check.interval.ms). Defaults to 5 minutes.</summary>
    public TimeSpan RetentionCheckInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The shortest session timeout a group member may ask for (group.min.session.timeout.ms). Defaults to 6 s.</summary>
    public TimeSpan GroupMinSessionTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>The longest session timeout a group member may ask for (group.max.session.timeout.ms). Defaults to 30 min.</summary>
    public TimeSpan GroupMaxSessionTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Checks the settings once, at start.</summary>
    /// <exception cref="ArgumentException">Naming the first setting out of range.</exception>
    public void Validate()
    {
        if (!InMemory && string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("DataDirectory must be set unless InMemory is true.");
        }

        if (DefaultPartitions < 1)
        {
            throw new ArgumentException($"DefaultPartitions must be at least 1, got {DefaultPartitions}.");
        }

        if (MaxPartitions < 1 || MaxPartitionsPerRequest < 1)
        {
            throw new ArgumentException($"MaxPartitions and MaxPartitionsPerRequest must be at least 1, got {MaxPartitions} and {MaxPartitionsPerRequest}.");
        }

        if (DefaultPartitions > MaxPartitionsPerRequest)
        {
            throw new ArgumentException($"DefaultPartitions ({DefaultPartitions}) must not exceed MaxPartitionsPerRequest ({MaxPartitionsPerRequest}).");
        }

        if (RetentionCheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"RetentionCheckInterval must be positive, got {RetentionCheckInterval}.");
        }

        if (GroupMinSessionTimeout <= TimeSpan.Zero || GroupMaxSessionTimeout < GroupMinSessionTimeout)
        {
            throw new ArgumentException($"Group session timeouts must satisfy 0 < min <= max, got {GroupMinSessionTimeout} and {GroupMaxSessionTimeout}.");
        }

        ArgumentNullException.ThrowIfNull(Log);
        Log.Validate();
    }
}
