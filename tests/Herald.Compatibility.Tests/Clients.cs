using Confluent.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>Confluent.Kafka clients configured for a Herald server, quick to give up so failures surface fast.</summary>
internal static class Clients
{
    public static IAdminClient Admin(HeraldServer herald) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = herald.BootstrapServers }).Build();

    public static ProducerConfig ProducerConfig(HeraldServer herald) => new()
    {
        BootstrapServers = herald.BootstrapServers,
        Acks = Acks.All,
        LingerMs = 5,
        MessageTimeoutMs = 30_000,
    };

    public static ConsumerConfig ConsumerConfig(HeraldServer herald, string groupId) => new()
    {
        BootstrapServers = herald.BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 500,
    };

    /// <summary>Consumes until <paramref name="count"/> records arrived or the time is up.</summary>
    public static List<ConsumeResult<TKey, TValue>> ConsumeMany<TKey, TValue>(IConsumer<TKey, TValue> consumer, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var records = new List<ConsumeResult<TKey, TValue>>();
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } record)
            {
                records.Add(record);
            }
        }

        return records;
    }
}
