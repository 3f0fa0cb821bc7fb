using System.Buffers;
using System.Diagnostics;
using System.Text;
using Herald.Storage;

namespace Herald.Broker.Tests;

/// <summary>What the broker must do, on disk and in memory alike.</summary>
public abstract class BrokerBehaviour(bool inMemory) : BrokerTestBase(inMemory)
{
    protected static byte[] Batch(int records, long timestamp = 1_700_000_000_000, string tag = "e")
    {
        using var builder = new RecordBatchBuilder();
        for (var i = 0; i < records; i++)
        {
            builder.Add(timestamp + i, Encoding.UTF8.GetBytes($"key-{i}"), Encoding.UTF8.GetBytes($"{tag}-{i}"));
        }

        return builder.ToArray();
    }

    /// <summary>A fetch of each (topic, partition) from offset 0, up to 1 MiB each.</summary>
    private static FetchBatch Fetch(params (string Topic, int Partition, IBufferWriter<byte> Destination)[] partitions)
    {
        var batch = new FetchBatch();
        foreach (var (topic, partition, destination) in partitions)
        {
            batch.Add(topic, partition, 0, 1 << 20, destination);
        }

        return batch;
    }

    private static IEnumerable<FetchResult> Results(FetchBatch batch) => Enumerable.Range(0, batch.Count).Select(i => batch[i]);

    [Fact]
    public void Topics_are_created_listed_described_and_deleted()
    {
        Assert.True(Broker.CreateTopic("orders", 3, new Dictionary<string, string> { ["retention.ms"] = "3600000" }).Succeeded);
        Assert.True(Broker.CreateTopic("payments").Succeeded);

        Assert.Equal(["orders", "payments"], Broker.ListTopics().Select(t => t.Name));
        var orders = Broker.DescribeTopic("orders")!;
        Assert.Equal(3, orders.Partitions);
        Assert.Equal("3600000", orders.Config.Effective["retention.ms"]);
        Assert.Equal("1048588", orders.Config.Effective["max.message.bytes"]);
        Assert.Equal(1, Broker.DescribeTopic("payments")!.Partitions);

        Assert.True(Broker.DeleteTopic("orders").Succeeded);
        Assert.Null(Broker.DescribeTopic("orders"));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Broker.DeleteTopic("orders").Error);
    }

    [Theory]
    [InlineData("bad name", 1, "retention.ms", "1", ErrorCode.InvalidTopicException)]
    [InlineData("good", 0, "retention.ms", "1", ErrorCode.InvalidPartitions)]
    [InlineData("good", 1, "retention.ms", "soon", ErrorCode.InvalidConfig)]
    [InlineData("good", 1, "segment.bytes", "10", ErrorCode.InvalidConfig)]
    [InlineData("good", 1, "no.such.config", "1", ErrorCode.InvalidConfig)]
    [InlineData("good", 1, "cleanup.policy", "compact", ErrorCode.InvalidConfig)]
    [InlineData("good", 1, "retention.ms", "0", ErrorCode.InvalidConfig)]
    [InlineData("good", 1, "segment.ms", "9223372036854775807", ErrorCode.InvalidConfig)]
    public void Bad_topic_requests_get_Kafka_error_codes_and_a_reason(string name, int partitions, string config, string value, ErrorCode expected)
    {
        var result = Broker.CreateTopic(name, partitions, new Dictionary<string, string> { [config] = value });

        Assert.Equal(expected, result.Error);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Empty(Broker.ListTopics());
    }

    [Fact]
    public void Existing_and_colliding_names_are_refused()
    {
        Broker.CreateTopic("orders.placed");

        Assert.Equal(ErrorCode.TopicAlreadyExists, Broker.CreateTopic("orders.placed").Error);
        Assert.Equal(ErrorCode.InvalidTopicException, Broker.CreateTopic("orders_placed").Error);
    }

    [Fact]
    public async Task Partitions_grow_but_never_shrink()
    {
        Broker.CreateTopic("orders", 2);
        await Broker.ProduceAsync("orders", 1, Batch(2)).AsTask().WaitAsync(Timeout);

        Assert.Equal(ErrorCode.InvalidPartitions, Broker.CreatePartitions("orders", 2).Error);
        Assert.True(Broker.CreatePartitions("orders", 5).Succeeded);

        Assert.Equal(5, Broker.DescribeTopic("orders")!.Partitions);
        Assert.Equal(0, (await Broker.ProduceAsync("orders", 4, Batch(1)).AsTask().WaitAsync(Timeout)).BaseOffset);
        Assert.Equal(2, Broker.ListOffset("orders", 1, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task Produce_with_acks_all_is_durable_before_it_is_acknowledged()
    {
        Broker.CreateTopic("orders");

        var first = await Broker.ProduceAsync("orders", 0, Batch(3), Acks.All).AsTask().WaitAsync(Timeout);
        var second = await Broker.ProduceAsync("orders", 0, Batch(2), Acks.All).AsTask().WaitAsync(Timeout);

        Assert.Equal((ErrorCode.None, 0L), (first.Error, first.BaseOffset));
        Assert.Equal((ErrorCode.None, 3L), (second.Error, second.BaseOffset));
        Assert.Equal(5, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task Produce_with_acks_1_becomes_visible_after_the_short_flush_interval()
    {
        Broker.CreateTopic("orders");

        var result = await Broker.ProduceAsync("orders", 0, Batch(3), Acks.Leader).AsTask().WaitAsync(Timeout);

        Assert.Equal(0, result.BaseOffset);
        var buffer = new ArrayBufferWriter<byte>();
        var fetched = await Broker.FetchAsync("orders", 0, 0, 1024 * 1024, buffer, maxWait: Timeout).AsTask().WaitAsync(Timeout);
        Assert.Equal(3, fetched.HighWatermark);
        Assert.Equal(3, RecordBatchReader.ReadAll(buffer.WrittenMemory).Sum(b => b.Records.Count));
    }

    [Fact]
    public async Task Produce_errors_use_Kafka_codes_and_write_nothing()
    {
        Broker.CreateTopic("small", 1, new Dictionary<string, string> { ["max.message.bytes"] = "200" });
        Broker.CreateTopic("replicated", 1, new Dictionary<string, string> { ["min.insync.replicas"] = "2" });
        var corrupt = Batch(2);
        corrupt[^1] ^= 0xFF;

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Broker.ProduceAsync("nope", 0, Batch(1))).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Broker.ProduceAsync("small", 1, Batch(1))).Error);
        Assert.Equal(ErrorCode.MessageTooLarge, (await Broker.ProduceAsync("small", 0, Batch(20))).Error);
        Assert.Equal(ErrorCode.CorruptMessage, (await Broker.ProduceAsync("small", 0, corrupt)).Error);
        Assert.Equal(ErrorCode.InvalidRequiredAcks, (await Broker.ProduceAsync("small", 0, Batch(1), (Acks)2)).Error);
        Assert.Equal(ErrorCode.NotEnoughReplicas, (await Broker.ProduceAsync("replicated", 0, Batch(1), Acks.All)).Error);
        Assert.Equal(ErrorCode.None, (await Broker.ProduceAsync("replicated", 0, Batch(1), Acks.Leader)).Error);
        Assert.Equal(0, Broker.ListOffset("small", 0, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task A_waiting_fetch_is_woken_by_new_data_rather_than_its_timeout()
    {
        Broker.CreateTopic("orders");
        var buffer = new ArrayBufferWriter<byte>();
        var clock = Stopwatch.StartNew();

        var fetch = Broker.FetchAsync("orders", 0, 0, 1024 * 1024, buffer, maxWait: TimeSpan.FromMinutes(5)).AsTask();
        await Task.Delay(100);
        Assert.False(fetch.IsCompleted);
        await Broker.ProduceAsync("orders", 0, Batch(4)).AsTask().WaitAsync(Timeout);
        var result = await fetch.WaitAsync(Timeout);

        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1));
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(4, RecordBatchReader.ReadAll(buffer.WrittenMemory).Single().Records.Count);
    }

    [Fact]
    public async Task A_fetch_with_nothing_to_read_returns_empty_after_its_max_wait()
    {
        Broker.CreateTopic("orders");
        var clock = Stopwatch.StartNew();

        var result = await Broker.FetchAsync("orders", 0, 0, 1024, new ArrayBufferWriter<byte>(), maxWait: TimeSpan.FromMilliseconds(200)).AsTask().WaitAsync(Timeout);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(150), $"returned after {clock.Elapsed}");
        Assert.Equal((ErrorCode.None, 0, 0L), (result.Error, result.BytesWritten, result.HighWatermark));
    }

    [Fact]
    public async Task A_fetch_waits_for_min_bytes_and_returns_every_batch_it_gathered()
    {
        Broker.CreateTopic("orders");
        var first = Batch(1, tag: "first");
        await Broker.ProduceAsync("orders", 0, first).AsTask().WaitAsync(Timeout);
        var buffer = new ArrayBufferWriter<byte>();

        var fetch = Broker.FetchAsync("orders", 0, 0, 1024 * 1024, buffer, maxWait: TimeSpan.FromMinutes(5), minBytes: first.Length + 1).AsTask();
        await Task.Delay(100);
        Assert.False(fetch.IsCompleted);
        await Broker.ProduceAsync("orders", 0, Batch(1, tag: "second")).AsTask().WaitAsync(Timeout);
        var result = await fetch.WaitAsync(Timeout);

        var batches = RecordBatchReader.ReadAll(buffer.WrittenMemory);
        Assert.Equal([0L, 1L], batches.Select(b => b.Header.BaseOffset));
        Assert.Equal(buffer.WrittenCount, result.BytesWritten);
    }

    [Fact]
    public async Task A_multi_partition_fetch_keeps_to_the_response_limit_except_for_the_first_batch()
    {
        Broker.CreateTopic("orders", 3);
        var batch = Batch(20);
        await Broker.ProduceAsync("orders", 1, batch.ToArray()).AsTask().WaitAsync(Timeout);
        await Broker.ProduceAsync("orders", 2, batch.ToArray()).AsTask().WaitAsync(Timeout);
        var buffers = Enumerable.Range(0, 4).Select(_ => new ArrayBufferWriter<byte>()).ToArray();

        var fetch = Fetch(("orders", 0, buffers[0]), ("orders", 1, buffers[1]), ("orders", 2, buffers[2]), ("orders", 7, buffers[3]));

        await Broker.FetchAsync(fetch, maxBytes: batch.Length / 2).AsTask().WaitAsync(Timeout);

        Assert.Equal([0, batch.Length, 0, 0], Results(fetch).Select(r => r.BytesWritten));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, fetch[3].Error);
        Assert.Equal([20L, 20L], Results(fetch).Skip(1).Take(2).Select(r => r.HighWatermark));
    }

    [Fact]
    public async Task A_multi_partition_fetch_is_woken_by_data_on_any_of_its_partitions()
    {
        Broker.CreateTopic("orders", 2);
        var buffers = new[] { new ArrayBufferWriter<byte>(), new ArrayBufferWriter<byte>() };

        var batch = Fetch(("orders", 0, buffers[0]), ("orders", 1, buffers[1]));

        var fetch = Broker.FetchAsync(batch, 1 << 20, TimeSpan.FromMinutes(5)).AsTask();
        await Task.Delay(100);
        Assert.False(fetch.IsCompleted);
        await Broker.ProduceAsync("orders", 1, Batch(3)).AsTask().WaitAsync(Timeout);
        await fetch.WaitAsync(Timeout);

        Assert.Equal(0, batch[0].BytesWritten);
        Assert.Equal(3, RecordBatchReader.ReadAll(buffers[1].WrittenMemory).Single().Records.Count);
    }

    [Fact]
    public void A_key_maps_to_the_partition_Kafkas_default_partitioner_picks()
    {
        Broker.CreateTopic("orders", partitions: 6);

        // murmur2 of the key's bytes, positive, modulo the partition count, as the Java client and librdkafka compute it.
        var partitions = Enumerable.Range(0, 200).Select(i => Broker.PartitionForKey("orders", System.Text.Encoding.UTF8.GetBytes($"customer-{i}"))!.Value).ToList();
        Assert.All(partitions, p => Assert.InRange(p, 0, 5));
        Assert.Equal(6, partitions.Distinct().Count());
        Assert.Equal(Partitioner.PartitionForKey("customer-42"u8, 6), Broker.PartitionForKey("orders", "customer-42"u8));
        Assert.Null(Broker.PartitionForKey("nope", "k"u8));
    }

    [Fact]
    public async Task Fetch_and_list_offsets_report_unknown_partitions_and_out_of_range_offsets()
    {
        Broker.CreateTopic("orders");
        await Broker.ProduceAsync("orders", 0, Batch(2)).AsTask().WaitAsync(Timeout);

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Broker.FetchAsync("orders", 3, 0, 1024, new ArrayBufferWriter<byte>())).Error);
        Assert.Equal(ErrorCode.OffsetOutOfRange, (await Broker.FetchAsync("orders", 0, 3, 1024, new ArrayBufferWriter<byte>())).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Broker.ListOffset("nope", 0, OffsetQuery.Latest).Error);
    }

    [Fact]
    public async Task List_offsets_finds_earliest_latest_and_by_timestamp()
    {
        Broker.CreateTopic("orders");
        await Broker.ProduceAsync("orders", 0, Batch(3, timestamp: 1000)).AsTask().WaitAsync(Timeout);
        await Broker.ProduceAsync("orders", 0, Batch(3, timestamp: 5000)).AsTask().WaitAsync(Timeout);

        Assert.Equal(0, Broker.ListOffset("orders", 0, OffsetQuery.Earliest).Offset);
        Assert.Equal(6, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
        Assert.Equal(2, Broker.ListOffset("orders", 0, OffsetQuery.AtOrAfter(1002)).Offset);
        Assert.Equal(3, Broker.ListOffset("orders", 0, OffsetQuery.AtOrAfter(1003)).Offset);
        Assert.Equal(-1, Broker.ListOffset("orders", 0, OffsetQuery.AtOrAfter(9000)).Offset);

        // A timestamp lookup also gives the found record's own time (the Java client refuses -1 there).
        Assert.Equal(new OffsetLookup(ErrorCode.None, 3, 5000), Broker.ListOffset("orders", 0, OffsetQuery.AtOrAfter(1003)));
        Assert.Equal(-1, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Timestamp);
    }

    [Fact]
    public async Task List_offsets_max_timestamp_finds_the_first_record_with_the_newest_time()
    {
        Broker.CreateTopic("clocks");
        Assert.Equal(new OffsetLookup(ErrorCode.None, -1), Broker.ListOffset("clocks", 0, OffsetQuery.NewestTimestamp));

        // Times go backwards in the second batch; the newest is in the middle of the first, and repeats later.
        await Broker.ProduceAsync("clocks", 0, Batch(4, timestamp: 7000)).AsTask().WaitAsync(Timeout); // 7000..7003
        await Broker.ProduceAsync("clocks", 0, Batch(2, timestamp: 1000)).AsTask().WaitAsync(Timeout);
        await Broker.ProduceAsync("clocks", 0, Batch(1, timestamp: 7003)).AsTask().WaitAsync(Timeout);

        Assert.Equal(new OffsetLookup(ErrorCode.None, 3, 7003), Broker.ListOffset("clocks", 0, OffsetQuery.NewestTimestamp));

        // Once those records are deleted, the newest of what is left wins.
        Broker.DeleteRecords("clocks", 0, 4);
        Assert.Equal(new OffsetLookup(ErrorCode.None, 6, 7003), Broker.ListOffset("clocks", 0, OffsetQuery.NewestTimestamp));
        Broker.DeleteRecords("clocks", 0, 7);
        Assert.Equal(-1, Broker.ListOffset("clocks", 0, OffsetQuery.NewestTimestamp).Offset);
    }

    [Fact]
    public async Task Delete_records_moves_the_log_start_and_refuses_offsets_past_the_high_watermark()
    {
        Broker.CreateTopic("orders");
        await Broker.ProduceAsync("orders", 0, Batch(5)).AsTask().WaitAsync(Timeout);

        Assert.Equal(ErrorCode.OffsetOutOfRange, Broker.DeleteRecords("orders", 0, 6).Error);
        Assert.Equal((ErrorCode.None, 3L), (Broker.DeleteRecords("orders", 0, 3).Error, Broker.DeleteRecords("orders", 0, 3).Offset));
        Assert.Equal(3, Broker.ListOffset("orders", 0, OffsetQuery.Earliest).Offset);
        Assert.Equal(ErrorCode.OffsetOutOfRange, (await Broker.FetchAsync("orders", 0, 2, 1024, new ArrayBufferWriter<byte>())).Error);
        Assert.Equal(5, Broker.DeleteRecords("orders", 0, -1).Offset);
    }

    [Fact]
    public async Task Reading_records_decodes_them_and_steps_from_removed_or_future_offsets_to_the_log_ends()
    {
        Broker.CreateTopic("reads");
        await Broker.ProduceAsync("reads", 0, Batch(5)).AsTask().WaitAsync(Timeout);
        await Broker.ProduceAsync("reads", 0, Batch(5)).AsTask().WaitAsync(Timeout);

        var read = await Broker.ReadRecordsAsync("reads", 0, 2, 1024 * 1024).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(2, 8).Select(o => (long)o), read.Records.Select(r => r.Offset));
        Assert.Equal(10, read.NextOffset);
        Assert.Null(read.Unreadable);

        Broker.DeleteRecords("reads", 0, 4);
        Assert.Equal(4, (await Broker.ReadRecordsAsync("reads", 0, 1, 1024).WaitAsync(Timeout)).NextOffset); // removed: on from the log start
        Assert.Equal(10, (await Broker.ReadRecordsAsync("reads", 0, 50, 1024).WaitAsync(Timeout)).NextOffset); // past the end: at the end
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Broker.ReadRecordsAsync("reads", 3, 0, 1024).WaitAsync(Timeout)).Error);
    }

    [Fact]
    public async Task Altered_retention_applies_to_existing_partitions()
    {
        Broker.CreateTopic("orders", 1, new Dictionary<string, string> { ["segment.bytes"] = "1024" });
        var old = DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds();
        for (var i = 0; i < 10; i++)
        {
            await Broker.ProduceAsync("orders", 0, Batch(5, timestamp: old)).AsTask().WaitAsync(Timeout);
        }

        Assert.Equal(0, Broker.ApplyRetention());
        Assert.True(Broker.AlterTopicConfig("orders", [new("retention.ms", "86400000")]).Succeeded);
        Assert.Equal(ErrorCode.InvalidConfig, Broker.AlterTopicConfig("orders", [new("retention.ms", "x")]).Error);

        Assert.True(Broker.ApplyRetention() > 0);
        Assert.Equal("86400000", Broker.DescribeTopic("orders")!.Config.Effective["retention.ms"]);
        Assert.Equal(50, Broker.ListOffset("orders", 0, OffsetQuery.Earliest).Offset);
    }

    [Fact]
    public async Task Committed_offsets_come_back_with_their_metadata_and_show_the_lag()
    {
        Broker.CreateTopic("orders", 2);
        await Broker.ProduceAsync("orders", 0, Batch(10)).AsTask().WaitAsync(Timeout);
        await Broker.ProduceAsync("orders", 1, Batch(4)).AsTask().WaitAsync(Timeout);

        Assert.True(Broker.CommitOffsets("email", [new(new("orders", 0), 7, "worker-1"), new(new("orders", 1), 4)]).Succeeded);
        Assert.True(Broker.CommitOffsets("email", [new(new("orders", 0), 8)]).Succeeded);

        var committed = Broker.FetchOffsets("email", [new("orders", 0), new("orders", 1), new("payments", 0)]);
        Assert.Equal([8L, 4L, -1L], committed.Select(c => c.Offset));
        Assert.Equal(["email"], Broker.ListGroups());
        var lag = Broker.DescribeGroup("email")!.Lag;
        Assert.Equal([2L, 0L], lag.Select(l => l.Lag));
        Assert.Equal([10L, 4L], lag.Select(l => l.HighWatermark));

        // A partition of the same topic the group never committed for counts in full.
        Broker.CreatePartitions("orders", 3);
        await Broker.ProduceAsync("orders", 2, Batch(5)).AsTask().WaitAsync(Timeout);
        var third = Broker.DescribeGroup("email")!.Lag[2];
        Assert.Equal((-1L, 5L), (third.Committed, third.Lag));
    }

    [Fact]
    public void Bad_commits_are_refused_and_store_nothing()
    {
        Broker.CreateTopic("orders");

        Assert.Equal(ErrorCode.InvalidGroupId, Broker.CommitOffsets("", [new(new("orders", 0), 1)]).Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, Broker.CommitOffsets("g", [new(new("orders", 0), 1), new(new("orders", 5), 1)]).Error);
        Assert.Equal(ErrorCode.InvalidRequest, Broker.CommitOffsets("g", [new(new("orders", 0), -3)]).Error);
        Assert.Empty(Broker.ListGroups());
        Assert.Null(Broker.DescribeGroup("g"));
    }

    [Fact]
    public void Deleting_a_group_or_its_topic_forgets_the_commits()
    {
        Broker.CreateTopic("orders");
        Broker.CreateTopic("payments");
        Broker.CommitOffsets("audit", [new(new("orders", 0), 0), new(new("payments", 0), 0)]);
        Broker.CommitOffsets("email", [new(new("orders", 0), 0)]);

        Broker.DeleteTopic("orders");
        Assert.True(Broker.DeleteGroup("email").Succeeded);

        Assert.Equal([new TopicPartition("payments", 0)], Broker.FetchOffsets("audit").Select(c => c.Partition));
        Assert.Equal(ErrorCode.GroupIdNotFound, Broker.DeleteGroup("email").Error);
    }

    [Fact]
    public async Task A_deleted_topic_comes_back_empty_with_a_new_id()
    {
        Broker.CreateTopic("orders");
        var firstId = Broker.DescribeTopic("orders")!.Id;
        await Broker.ProduceAsync("orders", 0, Batch(3)).AsTask().WaitAsync(Timeout);

        Broker.DeleteTopic("orders");
        Broker.CreateTopic("orders");

        Assert.NotEqual(firstId, Broker.DescribeTopic("orders")!.Id);
        Assert.Equal(0, Broker.ListOffset("orders", 0, OffsetQuery.Latest).Offset);
    }
}

public sealed class InMemoryBrokerTests() : BrokerBehaviour(inMemory: true);

public sealed class OnDiskBrokerTests() : BrokerBehaviour(inMemory: false)
{
    [Fact]
    public async Task Topics_configs_and_data_survive_a_restart()
    {
        Broker.CreateTopic("orders", 2, new Dictionary<string, string> { ["retention.bytes"] = "1000000" });
        Broker.CreatePartitions("orders", 3);
        await Broker.ProduceAsync("orders", 2, Batch(4)).AsTask().WaitAsync(Timeout);
        var id = Broker.DescribeTopic("orders")!.Id;
        await Broker.DisposeAsync();

        await using var restarted = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        var orders = restarted.DescribeTopic("orders")!;
        Assert.Equal((id, 3), (orders.Id, orders.Partitions));
        Assert.Equal("1000000", orders.Config.Effective["retention.bytes"]);
        Assert.Equal(4, restarted.ListOffset("orders", 2, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task Committed_offsets_survive_a_restart()
    {
        Broker.CreateTopic("orders");
        Broker.CommitOffsets("a group/with: odd ids", [new(new("orders", 0), 0, "m")]);
        Broker.CommitOffsets(new string('g', 300), [new(new("orders", 0), 0)]);
        await Broker.DisposeAsync();

        await using var restarted = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        Assert.Equal(["a group/with: odd ids", new string('g', 300)], restarted.ListGroups());
        Assert.Equal("m", restarted.FetchOffsets("a group/with: odd ids").Single().Metadata);
    }

    [Fact]
    public async Task A_second_broker_on_the_same_directory_is_refused_naming_the_holder()
    {
        var error = await Assert.ThrowsAsync<DataDirectoryLockedException>(() => HeraldBroker.StartAsync(Options));

        Assert.Equal(Environment.ProcessId, error.HolderProcessId);
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Partition_directories_left_by_an_interrupted_delete_are_removed_at_start()
    {
        Broker.CreateTopic("orders");
        await Broker.ProduceAsync("orders", 0, Batch(2)).AsTask().WaitAsync(Timeout);
        await Broker.DisposeAsync();
        var orphan = Path.Combine(DataDirectory, "ghost-0");
        Directory.CreateDirectory(orphan);
        File.WriteAllText(Path.Combine(orphan, "herald-log.format"), "1 1\n");
        File.WriteAllText(Path.Combine(DataDirectory, "notes-1.txt"), "not ours");

        await using var restarted = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        Assert.False(Directory.Exists(orphan));
        Assert.True(Directory.Exists(Path.Combine(DataDirectory, "orders-0")));
        Assert.True(File.Exists(Path.Combine(DataDirectory, "notes-1.txt")));
    }

    [Fact]
    public async Task A_corrupt_topic_catalog_stops_the_start_with_a_clear_error()
    {
        await Broker.DisposeAsync();
        File.WriteAllText(Path.Combine(DataDirectory, "topics.json"), "{ not json");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => HeraldBroker.StartAsync(Options));

        Assert.Contains("topics.json", error.Message, StringComparison.Ordinal);
    }
}
