using System.Buffers.Binary;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Herald.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>Confluent.Kafka's admin client against Herald: topics, configs, partitions, records, groups, offsets, cluster.</summary>
public sealed class AdminTests
{
    [Fact]
    public async Task Creates_describes_and_deletes_topics()
    {
        await using var herald = await HeraldServer.StartAsync();
        using var admin = Clients.Admin(herald);
        await admin.CreateTopicsAsync([
            new TopicSpecification { Name = "orders", NumPartitions = 3, ReplicationFactor = 1, Configs = new() { ["retention.ms"] = "3600000" } },
            new TopicSpecification { Name = "payments", NumPartitions = 1, ReplicationFactor = -1 },
        ]);

        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Assert.Equal(["orders", "payments"], metadata.Topics.Select(t => t.Topic).Order());
        Assert.Equal(3, metadata.Topics.Single(t => t.Topic == "orders").Partitions.Count);
        Assert.Equal(herald.Server.Advertised.Port, Assert.Single(metadata.Brokers).Port);

        var described = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(["orders"]));
        var orders = Assert.Single(described.TopicDescriptions);
        Assert.Equal(3, orders.Partitions.Count);
        var id = herald.Broker.DescribeTopic("orders")!.Id.ToByteArray(bigEndian: true);
        var expected = new Uuid(BinaryPrimitives.ReadInt64BigEndian(id), BinaryPrimitives.ReadInt64BigEndian(id.AsSpan(8)));
        Assert.Equal(expected.ToString(), orders.TopicId.ToString());

        var duplicate = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "orders", NumPartitions = 1 }]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, Assert.Single(duplicate.Results).Error.Code);

        var replicated = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "replicated", NumPartitions = 1, ReplicationFactor = 3 }]));
        Assert.Equal(ErrorCode.InvalidReplicationFactor, Assert.Single(replicated.Results).Error.Code);

        var badConfig = await Assert.ThrowsAsync<CreateTopicsException>(() => admin.CreateTopicsAsync([new TopicSpecification { Name = "bad", NumPartitions = 1, Configs = new() { ["retention.ms"] = "soon" } }]));
        Assert.Equal(ErrorCode.InvalidConfig, Assert.Single(badConfig.Results).Error.Code);

        await admin.CreatePartitionsAsync([new PartitionsSpecification { Topic = "payments", IncreaseTo = 4 }]);
        Assert.Equal(4, herald.Broker.DescribeTopic("payments")!.Partitions);

        await admin.DeleteTopicsAsync(["orders"]);
        Assert.Null(herald.Broker.DescribeTopic("orders"));
        var missing = await Assert.ThrowsAsync<DeleteTopicsException>(() => admin.DeleteTopicsAsync(["orders"]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(missing.Results).Error.Code);
    }

    [Fact]
    public async Task Describes_and_alters_topic_configs()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("events", 1);
        using var admin = Clients.Admin(herald);
        var topic = new ConfigResource { Type = ResourceType.Topic, Name = "events" };

        var before = Assert.Single(await admin.DescribeConfigsAsync([topic]));
        Assert.Equal("604800000", before.Entries["retention.ms"].Value);
        Assert.True(before.Entries["retention.ms"].IsDefault);

        var changes = new Dictionary<ConfigResource, List<ConfigEntry>>
        {
            [topic] = [new ConfigEntry { Name = "retention.ms", Value = "60000", IncrementalOperation = AlterConfigOpType.Set }],
        };
        await admin.IncrementalAlterConfigsAsync(changes);
        var altered = Assert.Single(await admin.DescribeConfigsAsync([topic]));
        Assert.Equal("60000", altered.Entries["retention.ms"].Value);
        Assert.False(altered.Entries["retention.ms"].IsDefault);
        Assert.Equal(60000, herald.Broker.DescribeTopic("events")!.Config.RetentionMilliseconds);

        changes[topic] = [new ConfigEntry { Name = "retention.ms", Value = "", IncrementalOperation = AlterConfigOpType.Delete }];
        await admin.IncrementalAlterConfigsAsync(changes);
        Assert.Equal("604800000", Assert.Single(await admin.DescribeConfigsAsync([topic])).Entries["retention.ms"].Value);

#pragma warning disable CS0618 // AlterConfigs is deprecated in favour of IncrementalAlterConfigs, and clients still send it
        await admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [topic] = [new ConfigEntry { Name = "segment.bytes", Value = "1048576" }] });
        Assert.Equal(1048576, herald.Broker.DescribeTopic("events")!.Config.SegmentByteLimit);

        var invalid = await Assert.ThrowsAsync<AlterConfigsException>(() => admin.AlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [topic] = [new ConfigEntry { Name = "retention.ms", Value = "never" }] }));
#pragma warning restore CS0618
        Assert.Equal(ErrorCode.InvalidConfig, Assert.Single(invalid.Results).Error.Code);

        var unknown = await Assert.ThrowsAsync<DescribeConfigsException>(() => admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Topic, Name = "nope" }]));
        Assert.Equal(ErrorCode.UnknownTopicOrPart, Assert.Single(unknown.Results).Error.Code);

        var broker = Assert.Single(await admin.DescribeConfigsAsync([new ConfigResource { Type = ResourceType.Broker, Name = "1" }]));
        Assert.Equal("true", broker.Entries["auto.create.topics.enable"].Value);
    }

    [Fact]
    public async Task Lists_offsets_and_deletes_records()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("ledger", 1);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeMilliseconds();
        using (var producer = new ProducerBuilder<Null, string>(Clients.ProducerConfig(herald)).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("ledger", new Message<Null, string> { Value = $"entry {i}", Timestamp = new Timestamp(start + (i * 1000), TimestampType.CreateTime) });
            }
        }

        using var admin = Clients.Admin(herald);
        var partition = new TopicPartition("ledger", 0);
        async Task<long> OffsetFor(OffsetSpec spec) =>
            Assert.Single((await admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = partition, OffsetSpec = spec }])).ResultInfos).TopicPartitionOffsetError.Offset.Value;

        Assert.Equal(0, await OffsetFor(OffsetSpec.Earliest()));
        Assert.Equal(10, await OffsetFor(OffsetSpec.Latest()));
        Assert.Equal(4, await OffsetFor(OffsetSpec.ForTimestamp(start + 3500)));

        var deleted = await admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 4)]);
        Assert.Equal(4, Assert.Single(deleted).Offset.Value);
        Assert.Equal(4, await OffsetFor(OffsetSpec.Earliest()));

        var beyond = await Assert.ThrowsAsync<DeleteRecordsException>(() => admin.DeleteRecordsAsync([new TopicPartitionOffset(partition, 99)]));
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Single(beyond.Results).Error.Code);
    }

    [Fact]
    public async Task Lists_describes_and_deletes_groups_and_their_offsets()
    {
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("audit", 2);
        using (var producer = new ProducerBuilder<Null, string>(Clients.ProducerConfig(herald)).Build())
        {
            for (var i = 0; i < 6; i++)
            {
                await producer.ProduceAsync(new TopicPartition("audit", i % 2), new Message<Null, string> { Value = $"a{i}" });
            }
        }

        using var admin = Clients.Admin(herald);
        var config = Clients.ConsumerConfig(herald, "auditors");
        config.ClientId = "auditor-1";
        using (var consumer = new ConsumerBuilder<Null, string>(config).Build())
        {
            consumer.Subscribe("audit");
            Assert.Equal(6, Clients.ConsumeMany(consumer, 6).Count);
            consumer.Commit();

            var listed = await admin.ListConsumerGroupsAsync();
            var group = Assert.Single(listed.Valid, g => g.GroupId == "auditors");
            Assert.Equal(ConsumerGroupState.Stable, group.State);

            var described = Assert.Single((await admin.DescribeConsumerGroupsAsync(["auditors"])).ConsumerGroupDescriptions);
            Assert.Equal(ConsumerGroupState.Stable, described.State);
            var member = Assert.Single(described.Members);
            Assert.Equal("auditor-1", member.ClientId);
            Assert.Equal(2, member.Assignment.TopicPartitions.Count);

            var busy = await Assert.ThrowsAsync<DeleteGroupsException>(() => admin.DeleteGroupsAsync(["auditors"]));
            Assert.Equal(ErrorCode.NonEmptyGroup, Assert.Single(busy.Results).Error.Code);
            consumer.Close();
        }

        var offsets = Assert.Single(await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions("auditors", null)]));
        Assert.Equal([3L, 3L], offsets.Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));

        await admin.DeleteConsumerGroupOffsetsAsync("auditors", [new TopicPartition("audit", 0)]);
        Assert.Equal([1], herald.Broker.FetchOffsets("auditors").Select(c => c.Partition.Partition));

        await admin.DeleteGroupsAsync(["auditors"]);
        Assert.DoesNotContain("auditors", herald.Broker.ListGroups());
    }

    [Fact]
    public async Task Describes_the_cluster_as_one_node()
    {
        await using var herald = await HeraldServer.StartAsync(new KafkaServerOptions { ClusterId = "herald-test" });
        using var admin = Clients.Admin(herald);
        var cluster = await admin.DescribeClusterAsync();
        Assert.Equal("herald-test", cluster.ClusterId);
        var node = Assert.Single(cluster.Nodes);
        Assert.Equal(herald.Server.Advertised.Port, node.Port);
        Assert.Equal(node.Id, cluster.Controller.Id);
    }
}
