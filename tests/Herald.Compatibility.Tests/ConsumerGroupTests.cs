using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>Consumer groups through librdkafka: rebalances as members come and go, commit and resume, independent groups.</summary>
public sealed class ConsumerGroupTests
{
    [Fact]
    public async Task Three_members_share_partitions_through_joins_and_leaves()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("shipments", 6);
        Produce(herald, "shipments", 60, partitions: 6);

        var consumed = new ConcurrentDictionary<(int Partition, long Offset), int>();
        using var first = new GroupMember(herald, "dispatch", "shipments", consumed);
        await WaitUntilAsync(() => first.Assigned.Count == 6, "the only member to own all six partitions");

        using var second = new GroupMember(herald, "dispatch", "shipments", consumed);
        using var third = new GroupMember(herald, "dispatch", "shipments", consumed);
        await WaitUntilAsync(() => first.Assigned.Count == 2 && second.Assigned.Count == 2 && third.Assigned.Count == 2, "three members with two partitions each");
        Assert.Equal(Enumerable.Range(0, 6), first.Assigned.Concat(second.Assigned).Concat(third.Assigned).Order());

        first.Leave();
        await WaitUntilAsync(() => second.Assigned.Count == 3 && third.Assigned.Count == 3, "the two remaining members to take over");
        Assert.Equal(Enumerable.Range(0, 6), second.Assigned.Concat(third.Assigned).Order());

        Produce(herald, "shipments", 60, partitions: 6);
        await WaitUntilAsync(() => consumed.Count == 120, "every record to be consumed");
    }

    [Fact]
    public async Task A_new_member_resumes_from_the_committed_offset()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("invoices", 1);
        Produce(herald, "invoices", 20, partitions: 1);

        using (var consumer = new ConsumerBuilder<Null, string>(Clients.ConsumerConfig(herald, "billing")).Build())
        {
            consumer.Subscribe("invoices");
            var firstHalf = Clients.ConsumeMany(consumer, 10);
            Assert.Equal(Enumerable.Range(0, 10).Select(o => (long)o), firstHalf.Select(r => r.Offset.Value));
            consumer.Commit(firstHalf[^1]);
            Assert.Equal(10, Assert.Single(consumer.Committed([new TopicPartition("invoices", 0)], TimeSpan.FromSeconds(10))).Offset.Value);
            consumer.Close();
        }

        using var resumed = new ConsumerBuilder<Null, string>(Clients.ConsumerConfig(herald, "billing")).Build();
        resumed.Subscribe("invoices");
        var rest = Clients.ConsumeMany(resumed, 10);
        Assert.Equal(Enumerable.Range(10, 10).Select(o => (long)o), rest.Select(r => r.Offset.Value));
        resumed.Close();
    }

    [Fact]
    public async Task Two_groups_each_receive_every_event()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("signups", 2);
        Produce(herald, "signups", 30, partitions: 2);

        foreach (var group in new[] { "mailer", "analytics" })
        {
            using var consumer = new ConsumerBuilder<Null, string>(Clients.ConsumerConfig(herald, group)).Build();
            consumer.Subscribe("signups");
            var records = Clients.ConsumeMany(consumer, 30);
            Assert.Equal(30, records.Select(r => r.Message.Value).Distinct().Count());
            consumer.Commit();
            consumer.Close();
        }

        Assert.Equal(30, herald.Broker.FetchOffsets("mailer").Sum(c => c.Offset));
        Assert.Equal(30, herald.Broker.FetchOffsets("analytics").Sum(c => c.Offset));
    }

    private static void Produce(HeraldServer herald, string topic, int count, int partitions)
    {
        using var producer = new ProducerBuilder<Null, string>(Clients.ProducerConfig(herald)).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(topic, i % partitions), new Message<Null, string> { Value = $"{topic}-{Guid.NewGuid()}" });
        }

        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>A consumer polling on its own thread, tracking the partitions the group gives it.</summary>
    private sealed class GroupMember : IDisposable
    {
        private readonly IConsumer<Null, string> _consumer;
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private volatile int[] _assigned = [];

        public GroupMember(HeraldServer herald, string group, string topic, ConcurrentDictionary<(int, long), int> consumed)
        {
            _consumer = new ConsumerBuilder<Null, string>(Clients.ConsumerConfig(herald, group))
                .SetPartitionsAssignedHandler((_, partitions) => _assigned = [.. partitions.Select(p => p.Partition.Value)])
                .SetPartitionsRevokedHandler((_, _) => _assigned = [])
                .Build();
            _consumer.Subscribe(topic);
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    if (_consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } record)
                    {
                        consumed.AddOrUpdate((record.Partition.Value, record.Offset.Value), 1, (_, n) => n + 1);
                        _consumer.Commit(record);
                    }
                }

                _consumer.Close();
            });
            _thread.Start();
        }

        public IReadOnlyList<int> Assigned => _assigned;

        public void Leave()
        {
            _stop.Cancel();
            _thread.Join();
        }

        public void Dispose()
        {
            if (!_stop.IsCancellationRequested)
            {
                Leave();
            }

            _consumer.Dispose();
            _stop.Dispose();
        }
    }
}
