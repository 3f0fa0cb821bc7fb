using Confluent.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>Replay: seeking a consumer by offset and by timestamp.</summary>
public sealed class SeekTests
{
    [Fact]
    public async Task Seeks_by_offset_and_by_timestamp()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("history", 1);
        var start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        using (var producer = new ProducerBuilder<Null, string>(Clients.ProducerConfig(herald)).Build())
        {
            for (var i = 0; i < 20; i++)
            {
                await producer.ProduceAsync("history", new Message<Null, string> { Value = $"event {i}", Timestamp = new Timestamp(start + (i * 60_000), TimestampType.CreateTime) });
            }
        }

        using var consumer = new ConsumerBuilder<Null, string>(Clients.ConsumerConfig(herald, "replayer")).Build();
        var partition = new TopicPartition("history", 0);
        consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
        Assert.Equal("event 0", Clients.ConsumeMany(consumer, 1)[0].Message.Value);

        consumer.Seek(new TopicPartitionOffset(partition, 12));
        var afterSeek = Clients.ConsumeMany(consumer, 1)[0];
        Assert.Equal(12, afterSeek.Offset.Value);
        Assert.Equal("event 12", afterSeek.Message.Value);

        var byTime = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(start + (7 * 60_000) - 1, TimestampType.CreateTime))], TimeSpan.FromSeconds(10));
        Assert.Equal(7, Assert.Single(byTime).Offset.Value);
        consumer.Seek(Assert.Single(byTime));
        var atTime = Clients.ConsumeMany(consumer, 1)[0];
        Assert.Equal("event 7", atTime.Message.Value);
        Assert.Equal(start + (7 * 60_000), atTime.Message.Timestamp.UnixTimestampMs);

        var afterEverything = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(start + (100 * 60_000), TimestampType.CreateTime))], TimeSpan.FromSeconds(10));
        Assert.Equal(Offset.End, Assert.Single(afterEverything).Offset);

        var watermarks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
        Assert.Equal((0L, 20L), (watermarks.Low.Value, watermarks.High.Value));
    }
}
