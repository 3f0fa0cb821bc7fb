using System.Globalization;
using Herald.Storage;

namespace Herald.Broker;

/// <summary>
/// A topic's settings, with Kafka's names and meanings. Only the overrides given when a topic is created or altered are
/// stored; every other setting follows the broker's storage defaults (<see cref="BrokerOptions.Log"/>), as in Kafka: a
/// topic override wins over the broker's setting, and the broker's over the built-in default. Immutable.
/// </summary>
public sealed record TopicConfig
{
    /// <summary>How long records are kept: <c>retention.ms</c>. -1 keeps them forever. Follows <see cref="LogOptions.RetentionTime"/> when not set.</summary>
    public const string RetentionMs = "retention.ms";

    /// <summary>How many bytes a partition keeps: <c>retention.bytes</c>. -1 means no limit. Follows <see cref="LogOptions.RetentionBytes"/>.</summary>
    public const string RetentionBytes = "retention.bytes";

    /// <summary>Segment size: <c>segment.bytes</c>. Follows <see cref="LogOptions.SegmentBytes"/>.</summary>
    public const string SegmentBytes = "segment.bytes";

    /// <summary>Segment age before a roll: <c>segment.ms</c>. Follows <see cref="LogOptions.SegmentAge"/>.</summary>
    public const string SegmentMs = "segment.ms";

    /// <summary>The largest record batch accepted: <c>max.message.bytes</c>. Follows <see cref="LogOptions.MaxBatchBytes"/>.</summary>
    public const string MaxMessageBytes = "max.message.bytes";

    /// <summary><c>cleanup.policy</c>: only <c>delete</c> for now; compaction is not built yet.</summary>
    public const string CleanupPolicy = "cleanup.policy";

    /// <summary><c>min.insync.replicas</c>: accepted for compatibility. A single node has one replica, so above 1 acks=all fails. Defaults to 1.</summary>
    public const string MinInsyncReplicas = "min.insync.replicas";

    // Kafka allows up to Long.MAX_VALUE; a TimeSpan holds about 29,000 years of milliseconds, which is forever enough.
    private static readonly long MaxMilliseconds = (long)TimeSpan.MaxValue.TotalMilliseconds - 1;

    private static readonly string[] Names = [RetentionMs, RetentionBytes, SegmentBytes, SegmentMs, MaxMessageBytes, CleanupPolicy, MinInsyncReplicas];

    private TopicConfig(LogOptions brokerDefaults) => BrokerDefaults = brokerDefaults;

    /// <summary>A topic with no overrides on a broker with Kafka's built-in defaults.</summary>
    public static TopicConfig Default { get; } = new(LogOptions.Default);

    /// <summary>The broker's storage settings this topic follows where it has no override.</summary>
    public LogOptions BrokerDefaults { get; }

    /// <summary>The overrides this configuration was built from, by Kafka name.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; private init; } = new Dictionary<string, string>();

    /// <summary><c>retention.ms</c> in force; -1 for forever.</summary>
    public long RetentionMilliseconds => Storage.RetentionTime is { } time ? (long)time.TotalMilliseconds : -1;

    /// <summary><c>retention.bytes</c> in force; -1 for no limit.</summary>
    public long RetentionByteLimit => Storage.RetentionBytes ?? -1;

    /// <summary><c>segment.bytes</c> in force.</summary>
    public int SegmentByteLimit => (int)Storage.SegmentBytes;

    /// <summary><c>segment.ms</c> in force.</summary>
    public long SegmentMilliseconds => (long)Storage.SegmentAge.TotalMilliseconds;

    /// <summary><c>max.message.bytes</c> in force.</summary>
    public int MaxMessageByteLimit => Storage.MaxBatchBytes;

    /// <summary><c>min.insync.replicas</c> in force.</summary>
    public int MinInsyncReplicaCount { get; private init; } = 1;

    /// <summary>The storage settings of the topic's partitions: the broker's, with this topic's overrides applied.</summary>
    public LogOptions Storage { get; private init; } = LogOptions.Default;

    /// <summary>Every setting with its value in force, by Kafka name, as DescribeConfigs shows them.</summary>
    public IReadOnlyDictionary<string, string> Effective => new Dictionary<string, string>
    {
        [RetentionMs] = RetentionMilliseconds.ToString(CultureInfo.InvariantCulture),
        [RetentionBytes] = RetentionByteLimit.ToString(CultureInfo.InvariantCulture),
        [SegmentBytes] = SegmentByteLimit.ToString(CultureInfo.InvariantCulture),
        [SegmentMs] = SegmentMilliseconds.ToString(CultureInfo.InvariantCulture),
        [MaxMessageBytes] = MaxMessageByteLimit.ToString(CultureInfo.InvariantCulture),
        [CleanupPolicy] = "delete",
        [MinInsyncReplicas] = MinInsyncReplicaCount.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Whether <paramref name="name"/> is a topic setting Herald knows.</summary>
    public static bool IsKnown(string name) => Array.IndexOf(Names, name) >= 0;

    /// <summary>Where the value in force of setting <paramref name="name"/> comes from.</summary>
    public ConfigOrigin OriginOf(string name)
    {
        if (Overrides.ContainsKey(name))
        {
            return ConfigOrigin.Topic;
        }

        // Without an override the value is the broker's; it counts as the broker's own only where it differs from Kafka's.
        return Effective.GetValueOrDefault(name) == Default.Effective.GetValueOrDefault(name) ? ConfigOrigin.Default : ConfigOrigin.Broker;
    }

    /// <summary>
    /// Applies <paramref name="overrides"/> on top of this configuration. A null value removes an override, going back
    /// to the broker's setting.
    /// </summary>
    /// <returns>The new configuration, or null with <paramref name="error"/> naming the first bad setting.</returns>
    public TopicConfig? With(IEnumerable<KeyValuePair<string, string?>> overrides, out string? error)
    {
        var merged = new Dictionary<string, string>(Overrides, StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            if (value is null)
            {
                merged.Remove(name);
            }
            else
            {
                merged[name] = value;
            }
        }

        return FromOverrides(merged, BrokerDefaults, out error);
    }

    /// <summary>Builds a configuration from stored or requested overrides, over Kafka's built-in defaults.</summary>
    /// <returns>The configuration, or null with <paramref name="error"/> naming the first bad setting.</returns>
    public static TopicConfig? FromOverrides(IReadOnlyDictionary<string, string> overrides, out string? error) =>
        FromOverrides(overrides, LogOptions.Default, out error);

    /// <summary>Builds a configuration from stored or requested overrides, over the broker's storage settings.</summary>
    /// <returns>The configuration, or null with <paramref name="error"/> naming the first bad setting.</returns>
    public static TopicConfig? FromOverrides(IReadOnlyDictionary<string, string> overrides, LogOptions brokerDefaults, out string? error)
    {
        ArgumentNullException.ThrowIfNull(brokerDefaults);
        var config = new TopicConfig(brokerDefaults) { Overrides = new Dictionary<string, string>(overrides, StringComparer.Ordinal), Storage = brokerDefaults };
        foreach (var (name, value) in overrides)
        {
            error = null;
            var storage = config.Storage;
            config = name switch
            {
                RetentionMs => Long(name, value, -1, MaxMilliseconds, out var v, ref error) ? config with { Storage = storage with { RetentionTime = v < 0 ? null : TimeSpan.FromMilliseconds(v) } } : null,
                RetentionBytes => Long(name, value, -1, long.MaxValue, out var v, ref error) ? config with { Storage = storage with { RetentionBytes = v < 0 ? null : v } } : null,
                SegmentBytes => Long(name, value, 1024, int.MaxValue, out var v, ref error) ? config with { Storage = storage with { SegmentBytes = v } } : null,
                SegmentMs => Long(name, value, 1, MaxMilliseconds, out var v, ref error) ? config with { Storage = storage with { SegmentAge = TimeSpan.FromMilliseconds(v) } } : null,
                MaxMessageBytes => Long(name, value, 0, int.MaxValue, out var v, ref error) ? config with { Storage = storage with { MaxBatchBytes = Math.Max((int)v, RecordBatchHeader.Size) } } : null,
                MinInsyncReplicas => Long(name, value, 1, int.MaxValue, out var v, ref error) ? config with { MinInsyncReplicaCount = (int)v } : null,
                CleanupPolicy => value == "delete" ? config : Fail($"{CleanupPolicy}={value} is not supported: Herald deletes old segments ('delete'); compaction is not built yet.", out error),
                _ => Fail($"Unknown topic config '{name}'. Known: {string.Join(", ", Names)}.", out error),
            };
            if (config is null)
            {
                return null;
            }
        }

        // Whatever the broker cannot turn into working storage settings is refused here, before anything is saved.
        try
        {
            config.Storage.Validate();
        }
        catch (ArgumentException exception)
        {
            error = $"Invalid topic config: {exception.Message}";
            return null;
        }

        error = null;
        return config;
    }

    private static bool Long(string name, string value, long min, long max, out long parsed, ref string? error)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out parsed) && parsed >= min && parsed <= max)
        {
            return true;
        }

        error = $"{name}={value} is not valid: expected a whole number from {min} to {max}.";
        return false;
    }

    private static TopicConfig? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
