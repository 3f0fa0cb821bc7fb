using System.Globalization;
using Herald.Storage;

namespace Herald.Broker;

/// <summary>
/// The per-topic settings, with Kafka's names, meanings and defaults. Immutable; only the overrides given when a topic
/// is created or altered are stored, so a topic follows the broker's defaults for the rest.
/// </summary>
public sealed record TopicConfig
{
    /// <summary>How long records are kept: <c>retention.ms</c>. -1 keeps them forever. Defaults to 7 days.</summary>
    public const string RetentionMs = "retention.ms";

    /// <summary>How many bytes a partition keeps: <c>retention.bytes</c>. -1 means no limit, the default.</summary>
    public const string RetentionBytes = "retention.bytes";

    /// <summary>Segment size: <c>segment.bytes</c>. Defaults to 1 GiB.</summary>
    public const string SegmentBytes = "segment.bytes";

    /// <summary>Segment age before a roll: <c>segment.ms</c>. Defaults to 7 days.</summary>
    public const string SegmentMs = "segment.ms";

    /// <summary>The largest record batch accepted: <c>max.message.bytes</c>. Defaults to 1 MiB + 12 bytes.</summary>
    public const string MaxMessageBytes = "max.message.bytes";

    /// <summary><c>cleanup.policy</c>: only <c>delete</c> for now; compaction is not built yet.</summary>
    public const string CleanupPolicy = "cleanup.policy";

    /// <summary><c>min.insync.replicas</c>: accepted for compatibility. A single node has one replica, so above 1 acks=all fails.</summary>
    public const string MinInsyncReplicas = "min.insync.replicas";

    /// <summary>The defaults, as Kafka's.</summary>
    public static TopicConfig Default { get; } = new();

    // Kafka allows up to Long.MAX_VALUE; a TimeSpan holds about 29,000 years of milliseconds, which is forever enough.
    private static readonly long MaxMilliseconds = (long)TimeSpan.MaxValue.TotalMilliseconds - 1;

    private static readonly string[] Names = [RetentionMs, RetentionBytes, SegmentBytes, SegmentMs, MaxMessageBytes, CleanupPolicy, MinInsyncReplicas];

    /// <summary>The overrides this configuration was built from, by Kafka name.</summary>
    public IReadOnlyDictionary<string, string> Overrides { get; private init; } = new Dictionary<string, string>();

    /// <summary><c>retention.ms</c>; -1 for forever.</summary>
    public long RetentionMilliseconds { get; private init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>; -1 for no limit.</summary>
    public long RetentionByteLimit { get; private init; } = -1;

    /// <summary><c>segment.bytes</c>.</summary>
    public int SegmentByteLimit { get; private init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c>.</summary>
    public long SegmentMilliseconds { get; private init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>max.message.bytes</c>.</summary>
    public int MaxMessageByteLimit { get; private init; } = 1024 * 1024 + 12;

    /// <summary><c>min.insync.replicas</c>.</summary>
    public int MinInsyncReplicaCount { get; private init; } = 1;

    /// <summary>Every setting with its effective value, by Kafka name, as DescribeConfigs shows them.</summary>
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

    /// <summary>
    /// Applies <paramref name="overrides"/> on top of this configuration. A null value removes an override, going back
    /// to the default.
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

        return FromOverrides(merged, out error);
    }

    /// <summary>Builds a configuration from stored or requested overrides.</summary>
    /// <returns>The configuration, or null with <paramref name="error"/> naming the first bad setting.</returns>
    public static TopicConfig? FromOverrides(IReadOnlyDictionary<string, string> overrides, out string? error)
    {
        var config = new TopicConfig { Overrides = new Dictionary<string, string>(overrides, StringComparer.Ordinal) };
        foreach (var (name, value) in overrides)
        {
            error = null;
            config = name switch
            {
                RetentionMs => Long(name, value, -1, MaxMilliseconds, out var v, ref error) ? config with { RetentionMilliseconds = v } : null,
                RetentionBytes => Long(name, value, -1, long.MaxValue, out var v, ref error) ? config with { RetentionByteLimit = v } : null,
                SegmentBytes => Long(name, value, 1024, int.MaxValue, out var v, ref error) ? config with { SegmentByteLimit = (int)v } : null,
                SegmentMs => Long(name, value, 1, MaxMilliseconds, out var v, ref error) ? config with { SegmentMilliseconds = v } : null,
                MaxMessageBytes => Long(name, value, 0, int.MaxValue, out var v, ref error) ? config with { MaxMessageByteLimit = (int)v } : null,
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
            config.ToLogOptions(LogOptions.Default).Validate();
        }
        catch (ArgumentException exception)
        {
            error = $"Invalid topic config: {exception.Message}";
            return null;
        }

        error = null;
        return config;
    }

    /// <summary>The storage settings for one partition of a topic with this configuration.</summary>
    public LogOptions ToLogOptions(LogOptions brokerDefaults) => brokerDefaults with
    {
        RetentionTime = RetentionMilliseconds < 0 ? null : TimeSpan.FromMilliseconds(RetentionMilliseconds),
        RetentionBytes = RetentionByteLimit < 0 ? null : RetentionByteLimit,
        SegmentBytes = SegmentByteLimit,
        SegmentAge = TimeSpan.FromMilliseconds(SegmentMilliseconds),
        MaxBatchBytes = Math.Max(MaxMessageByteLimit, RecordBatchHeader.Size),
    };

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
