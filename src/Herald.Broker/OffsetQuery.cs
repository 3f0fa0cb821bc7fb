namespace Herald.Broker;

/// <summary>
/// What <see cref="HeraldBroker.ListOffset"/> looks for in a partition: its start, its end, the record with the newest
/// timestamp, or the first record at or after a time.
/// </summary>
public readonly record struct OffsetQuery
{
    private OffsetQuery(long kafkaTimestamp) => KafkaTimestamp = kafkaTimestamp;

    /// <summary>The log start offset (Kafka's <c>earliest</c>, -2 on the wire).</summary>
    public static OffsetQuery Earliest => new(-2);

    /// <summary>The high watermark, the next offset to be written (Kafka's <c>latest</c>, -1 on the wire).</summary>
    public static OffsetQuery Latest => new(-1);

    /// <summary>The first record with the newest timestamp (Kafka's <c>max timestamp</c>, -3 on the wire).</summary>
    public static OffsetQuery NewestTimestamp => new(-3);

    /// <summary>The value of Kafka's ListOffsets timestamp field for this query.</summary>
    public long KafkaTimestamp { get; }

    /// <summary>The first record whose timestamp is at least <paramref name="unixMilliseconds"/>.</summary>
    public static OffsetQuery AtOrAfter(long unixMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds);
        return new OffsetQuery(unixMilliseconds);
    }

    /// <summary>The first record whose timestamp is at or after <paramref name="time"/>.</summary>
    public static OffsetQuery AtOrAfter(DateTimeOffset time) => AtOrAfter(time.ToUnixTimeMilliseconds());

    /// <summary>The query a Kafka client sent, as it sent it; values Kafka does not define are answered INVALID_REQUEST.</summary>
    public static OffsetQuery FromKafka(long timestamp) => new(timestamp);
}
