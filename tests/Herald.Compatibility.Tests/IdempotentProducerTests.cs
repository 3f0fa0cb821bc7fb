using System.Net;
using Confluent.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>The idempotent producer at full pipeline depth: every message exactly once, in order per partition.</summary>
public sealed class IdempotentProducerTests
{
    private const int Messages = 100_000;
    private const int Keys = 16;
    private const int Partitions = 4;

    [Fact]
    public async Task One_hundred_thousand_messages_arrive_exactly_once_in_order()
    {
        await using var herald = await HeraldServer.StartAsync();
        ProduceAndVerify(herald, herald.BootstrapServers);
    }

    [Fact]
    public async Task Connections_cut_mid_stream_cause_retries_but_no_duplicates()
    {
        // Clients reach the broker only through a proxy that keeps cutting connections, so the producer resends
        // batches the broker already stored; the broker must answer those with their original offsets.
        await using var proxy = new FlakyProxy();
        await using var herald = await HeraldServer.StartAsync(new Herald.Kafka.KafkaServerOptions { Advertise = new DnsEndPoint("127.0.0.1", proxy.Port) });
        proxy.Start(herald.Server.LocalEndPoint);
        ProduceAndVerify(herald, $"127.0.0.1:{proxy.Port}");
        Assert.True(proxy.Cuts >= 10, $"only {proxy.Cuts} connections were cut");
    }

    private static void ProduceAndVerify(HeraldServer herald, string bootstrapServers)
    {
        herald.Broker.CreateTopic("payments", Partitions);
        var config = Clients.ProducerConfig(herald);
        config.BootstrapServers = bootstrapServers;
        config.MessageTimeoutMs = 120_000;
        config.EnableIdempotence = true;
        config.MaxInFlight = 5;
        config.LingerMs = 2;
        config.BatchNumMessages = 500;
        var acknowledged = new long[Partitions];
        var failures = 0;
        using (var producer = new ProducerBuilder<string, string>(config).Build())
        {
            for (var i = 0; i < Messages; i++)
            {
                var key = $"account-{i % Keys}";
                producer.Produce("payments", new Message<string, string> { Key = key, Value = $"{key}:{i / Keys}" }, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref failures);
                    }
                    else
                    {
                        Interlocked.Increment(ref acknowledged[report.Partition.Value]);
                    }
                });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromMinutes(2)));
        }

        Assert.Equal(0, failures);
        Assert.Equal(Messages, acknowledged.Sum());

        using var consumer = new ConsumerBuilder<string, string>(Clients.ConsumerConfig(herald, "auditor")).Build(); // straight to the broker
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset("payments", p, Offset.Beginning)));
        var received = Clients.ConsumeMany(consumer, Messages, TimeSpan.FromMinutes(2));
        Assert.Equal(Messages, received.Count);

        // Exactly once: every (key, sequence) pair once. In order: per key, sequences rise by one, and offsets are dense.
        Assert.Equal(Messages, received.Select(r => r.Message.Value).Distinct().Count());
        foreach (var byKey in received.GroupBy(r => r.Message.Key))
        {
            Assert.Single(byKey.Select(r => r.Partition.Value).Distinct());
            Assert.Equal(Enumerable.Range(0, Messages / Keys), byKey.OrderBy(r => r.Offset.Value).Select(r => int.Parse(r.Message.Value.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var byPartition in received.GroupBy(r => r.Partition.Value))
        {
            Assert.Equal(Enumerable.Range(0, byPartition.Count()).Select(o => (long)o), byPartition.Select(r => r.Offset.Value));
            Assert.Equal(acknowledged[byPartition.Key], byPartition.Count());
        }
    }
}
