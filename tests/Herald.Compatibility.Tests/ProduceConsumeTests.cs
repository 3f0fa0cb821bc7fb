using System.Text;
using Confluent.Kafka;
using Herald.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>Confluent.Kafka's producer and consumer against Herald: codecs, keys, headers, null values, large values, errors.</summary>
public sealed class ProduceConsumeTests
{
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Round_trips_keys_headers_and_null_values_with_each_codec(CompressionType codec)
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("mixed", 1);
        var config = Clients.ProducerConfig(herald);
        config.CompressionType = codec;
        config.LingerMs = 50; // several records per batch, so the codec sees real batches
        var sent = new List<Message<string?, byte[]?>>();
        using (var producer = new ProducerBuilder<string?, byte[]?>(config).Build())
        {
            for (var i = 0; i < 200; i++)
            {
                var message = new Message<string?, byte[]?>
                {
                    Key = i % 7 == 0 ? null : $"customer-{i % 5}",
                    Value = i % 11 == 0 ? null : Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"OrderPlaced {i};", 20))),
                    Headers = i % 3 == 0 ? [] : new Headers { { "trace-id", Encoding.UTF8.GetBytes($"trace-{i}") }, { "empty", [] } },
                };
                sent.Add(message);
                producer.Produce("mixed", message);
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new ConsumerBuilder<string?, byte[]?>(Clients.ConsumerConfig(herald, "codec-" + codec)).Build();
        consumer.Assign(new TopicPartitionOffset("mixed", 0, Offset.Beginning));
        var received = Clients.ConsumeMany(consumer, sent.Count);
        Assert.Equal(sent.Count, received.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.Equal(i, received[i].Offset.Value);
            Assert.Equal(sent[i].Key, received[i].Message.Key);
            Assert.Equal(sent[i].Value, received[i].Message.Value);
            Assert.Equal(
                sent[i].Headers.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))),
                received[i].Message.Headers.Select(h => (h.Key, Convert.ToHexString(h.GetValueBytes()))));
        }
    }

    [Fact]
    public async Task Carries_one_MiB_values()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("blobs", 1, new Dictionary<string, string> { ["max.message.bytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var config = Clients.ProducerConfig(herald);
        config.MessageMaxBytes = 4 * 1024 * 1024;
        var values = Enumerable.Range(0, 5).Select(i =>
        {
            var value = new byte[1024 * 1024];
            new Random(i).NextBytes(value);
            return value;
        }).ToList();
        using (var producer = new ProducerBuilder<Null, byte[]>(config).Build())
        {
            foreach (var value in values)
            {
                await producer.ProduceAsync("blobs", new Message<Null, byte[]> { Value = value });
            }
        }

        var consumerConfig = Clients.ConsumerConfig(herald, "blob-readers");
        consumerConfig.FetchMaxBytes = 8 * 1024 * 1024;
        using var consumer = new ConsumerBuilder<Null, byte[]>(consumerConfig).Build();
        consumer.Assign(new TopicPartitionOffset("blobs", 0, Offset.Beginning));
        var received = Clients.ConsumeMany(consumer, values.Count);
        Assert.Equal(values, received.Select(r => r.Message.Value));
    }

    [Fact]
    public async Task A_batch_larger_than_the_topic_allows_fails_with_message_too_large()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("small", 1, new Dictionary<string, string> { ["max.message.bytes"] = "1000" });
        using var producer = new ProducerBuilder<Null, byte[]>(Clients.ProducerConfig(herald)).Build();
        var failure = await Assert.ThrowsAsync<ProduceException<Null, byte[]>>(() => producer.ProduceAsync("small", new Message<Null, byte[]> { Value = new byte[5000] }));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, failure.Error.Code);
        Assert.False(failure.Error.IsLocalError);
        Assert.Equal(0, herald.Broker.ListOffset("small", 0, Herald.Broker.OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task An_unknown_topic_fails_when_auto_creation_is_off()
    {
        await using var herald = await HeraldServer.StartAsync(new KafkaServerOptions { AutoCreateTopics = false });
        var config = Clients.ProducerConfig(herald);
        config.MessageTimeoutMs = 20_000;
        config.Set("topic.metadata.propagation.max.ms", "500"); // librdkafka otherwise waits 30 s for a new topic to appear
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        var failure = await Assert.ThrowsAsync<ProduceException<Null, string>>(() => producer.ProduceAsync("nowhere", new Message<Null, string> { Value = "lost" }));
        Assert.Contains(failure.Error.Code, new[] { ErrorCode.UnknownTopicOrPart, ErrorCode.Local_UnknownTopic });
        Assert.Null(herald.Broker.DescribeTopic("nowhere"));
    }

    [Fact]
    public async Task An_unknown_topic_is_created_on_first_produce_by_default()
    {
        await using var herald = await HeraldServer.StartAsync();
        using var producer = new ProducerBuilder<Null, string>(Clients.ProducerConfig(herald)).Build();
        var delivered = await producer.ProduceAsync("invented", new Message<Null, string> { Value = "hello" });
        Assert.Equal(0, delivered.Offset.Value);
        Assert.Equal(1, herald.Broker.DescribeTopic("invented")!.Partitions);
    }

    [Fact]
    public async Task Fetching_past_the_end_reports_offset_out_of_range()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("short", 1);
        using (var producer = new ProducerBuilder<Null, string>(Clients.ProducerConfig(herald)).Build())
        {
            await producer.ProduceAsync("short", new Message<Null, string> { Value = "only" });
        }

        var config = Clients.ConsumerConfig(herald, "strict");
        config.AutoOffsetReset = AutoOffsetReset.Error;
        using var consumer = new ConsumerBuilder<Null, string>(config).Build();
        consumer.Assign(new TopicPartitionOffset("short", 0, 500));
        var failure = Assert.Throws<ConsumeException>(() =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                consumer.Consume(TimeSpan.FromMilliseconds(200));
            }
        });
        Assert.Equal(ErrorCode.Local_AutoOffsetReset, failure.Error.Code);
        Assert.Contains("out of range", failure.Error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Transactions_are_refused_with_a_clear_error()
    {
        await using var herald = await HeraldServer.StartAsync();
        var config = Clients.ProducerConfig(herald);
        config.TransactionalId = "payments-tx";
        using var producer = new ProducerBuilder<Null, string>(config).Build();
        var failure = Assert.ThrowsAny<KafkaException>(() => producer.InitTransactions(TimeSpan.FromSeconds(20)));
        Assert.Contains("transaction", failure.Error.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(herald.Broker.ListTopics());
    }
}
