namespace Herald.Storage;

/// <summary>Settings of one partition log. Names follow Kafka's topic configs where one exists. Immutable.</summary>
public sealed record LogOptions
{
    /// <summary>The defaults, matching Kafka's.</summary>
    public static LogOptions Default { get; } = new();

    /// <summary>A segment is rolled when the next append would take it past this size (segment.bytes). Defaults to 1 GiB; at most 2 GiB - 1.</summary>
    public long SegmentBytes { get; init; } = 1024L * 1024 * 1024;

    /// <summary>A segment is rolled when its first batch is older than this (segment.ms). Defaults to 7 days.</summary>
    public TimeSpan SegmentAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Bytes between two entries of the sparse offset and time indexes (index.interval.bytes). Defaults to 4 KiB.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>The largest record batch accepted, header included (max.message.bytes). Defaults to 1 MiB + 12 bytes, as Kafka.</summary>
    public int MaxBatchBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary>Segments whose newest record is older than this are deleted (retention.ms). Null keeps them forever. Defaults to 7 days.</summary>
    public TimeSpan? RetentionTime { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Old segments are deleted while the log is larger than this (retention.bytes). Null means no limit, the default.</summary>
    public long? RetentionBytes { get; init; }

    /// <summary>
    /// The longest time between two records of the durable position (the recovery point), written after a flush.
    /// After a crash, damage before the recovery point is reported as corruption and damage after it is cut off as a torn
    /// tail. Zero records it after every flush, at the cost of three more syncs each time. Defaults to 1 second.
    /// </summary>
    public TimeSpan RecoveryPointInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How appends are made durable. Defaults to <see cref="FlushPolicy.Always"/>.</summary>
    public FlushPolicy FlushPolicy { get; init; } = FlushPolicy.Always;

    /// <summary>Checks the settings, naming the first one that is out of range.</summary>
    /// <exception cref="ArgumentException">When a setting is out of range.</exception>
    public void Validate()
    {
        if (SegmentBytes < RecordBatchHeader.Size || SegmentBytes > int.MaxValue)
        {
            throw new ArgumentException($"SegmentBytes must be between {RecordBatchHeader.Size} and {int.MaxValue}, got {SegmentBytes}.");
        }

        if (SegmentAge <= TimeSpan.Zero)
        {
            throw new ArgumentException($"SegmentAge must be positive, got {SegmentAge}.");
        }

        if (IndexIntervalBytes <= 0)
        {
            throw new ArgumentException($"IndexIntervalBytes must be positive, got {IndexIntervalBytes}.");
        }

        if (MaxBatchBytes < RecordBatchHeader.Size)
        {
            throw new ArgumentException($"MaxBatchBytes must be at least {RecordBatchHeader.Size}, got {MaxBatchBytes}.");
        }

        if (RetentionTime is { } time && time <= TimeSpan.Zero)
        {
            throw new ArgumentException($"RetentionTime must be positive or null (forever), got {time}.");
        }

        if (RetentionBytes is < 0)
        {
            throw new ArgumentException($"RetentionBytes must be zero or more, or null (no limit), got {RetentionBytes}.");
        }

        if (RecoveryPointInterval < TimeSpan.Zero)
        {
            throw new ArgumentException($"RecoveryPointInterval must be zero or more, got {RecoveryPointInterval}.");
        }

        ArgumentNullException.ThrowIfNull(FlushPolicy);
        FlushPolicy.Validate();
    }
}
