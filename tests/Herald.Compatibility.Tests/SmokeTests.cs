using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Herald.Compatibility.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Produce_then_consume_round_trips()
    {
        await using var herald = await HeraldServer.StartAsync();
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = herald.BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = "orders", NumPartitions = 3, ReplicationFactor = 1 }]);

        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = herald.BootstrapServers, EnableIdempotence = true }).Build();
        var delivered = await producer.ProduceAsync("orders", new Message<string, string> { Key = "k1", Value = "OrderPlaced" });
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = herald.BootstrapServers,
            GroupId = "smoke",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("orders");
        var record = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.NotNull(record);
        Assert.Equal("k1", record.Message.Key);
        Assert.Equal("OrderPlaced", record.Message.Value);
        Assert.Equal(delivered.TopicPartitionOffset, record.TopicPartitionOffset);
        consumer.Close();
    }
}
