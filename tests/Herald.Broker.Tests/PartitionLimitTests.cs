namespace Herald.Broker.Tests;

/// <summary>
/// Regression: CreateTopics with 2,147,483,647 partitions opened partitions until file descriptors ran out, logged
/// nothing, and left thousands of directories that outlived restarts.
/// </summary>
public sealed class PartitionLimitTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-broker-tests", Guid.NewGuid().ToString("N"));
    private HeraldBroker _broker = null!;

    private BrokerOptions Options => new() { DataDirectory = _directory, MaxPartitions = 12, MaxPartitionsPerRequest = 10 };

    public async Task InitializeAsync() => _broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_topic_of_two_billion_partitions_is_refused_before_anything_is_opened()
    {
        var result = _broker.CreateTopic("bomb", int.MaxValue);

        Assert.Equal(ErrorCode.InvalidPartitions, result.Error);
        Assert.Contains("at most 10 partitions", result.Message, StringComparison.Ordinal);
        Assert.Empty(PartitionDirectories("bomb"));
    }

    [Fact]
    public void Creates_past_the_broker_limit_are_a_policy_violation_and_change_nothing()
    {
        Assert.True(_broker.CreateTopic("orders", 8).Succeeded);

        var topic = _broker.CreateTopic("payments", 5);
        var grow = _broker.CreatePartitions("orders", 13);

        Assert.Equal(ErrorCode.PolicyViolation, topic.Error);
        Assert.Contains("limit of 12", topic.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.PolicyViolation, grow.Error);
        Assert.Equal(8, _broker.PartitionCount);
        Assert.Empty(PartitionDirectories("payments"));
        Assert.True(_broker.CreateTopic("payments", 4).Succeeded);
    }

    [Fact]
    public async Task A_create_that_fails_halfway_is_rolled_back_with_a_storage_error_and_the_broker_goes_on()
    {
        // A file where partition 5's directory must go makes the sixth open fail, as running out of descriptors would.
        File.WriteAllText(Path.Combine(_directory, "bomb-5"), "in the way");

        var result = _broker.CreateTopic("bomb", 10);

        Assert.Equal(ErrorCode.KafkaStorageError, result.Error);
        Assert.Contains("rolled back", result.Message, StringComparison.Ordinal);
        Assert.False(_broker.TopicExists("bomb"));
        Assert.Empty(PartitionDirectories("bomb"));

        File.Delete(Path.Combine(_directory, "bomb-5"));
        Assert.True(_broker.CreateTopic("bomb", 10).Succeeded);
        await _broker.DisposeAsync();
        _broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);
        Assert.Equal(10, _broker.DescribeTopic("bomb")?.Partitions);
    }

    [Fact]
    public async Task Partition_directories_no_topic_owns_are_removed_at_start()
    {
        Assert.True(_broker.CreateTopic("orders", 2).Succeeded);
        await _broker.DisposeAsync();
        Directory.CreateDirectory(Path.Combine(_directory, "ghost-0"));
        File.WriteAllText(Path.Combine(_directory, "ghost-0", "herald-log.format"), "1");
        Directory.CreateDirectory(Path.Combine(_directory, "ghost-1")); // an open that got no further than the directory
        Directory.CreateDirectory(Path.Combine(_directory, "orders-7"));
        Directory.CreateDirectory(Path.Combine(_directory, "not a partition"));

        _broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        Assert.Empty(PartitionDirectories("ghost"));
        Assert.False(Directory.Exists(Path.Combine(_directory, "orders-7")));
        Assert.Equal(2, PartitionDirectories("orders").Count);
        Assert.True(Directory.Exists(Path.Combine(_directory, "not a partition")));
    }

    [Fact]
    public async Task A_topic_created_again_never_shows_records_a_deleted_one_left_behind()
    {
        // Regression (found in review): a delete that could not remove its directories, then a create of the same name,
        // reopened them, and the old records reappeared under the new topic.
        Assert.True(_broker.CreateTopic("reborn", 1).Succeeded);
        await _broker.ProduceAsync("reborn", 0, Batch());
        var partition = Path.Combine(_directory, "reborn-0");
        var kept = Path.Combine(_directory, "kept");
        CopyDirectory(partition, kept);
        Assert.True(_broker.DeleteTopic("reborn").Succeeded);
        CopyDirectory(kept, partition); // as if the delete had left it behind

        Assert.True(_broker.CreateTopic("reborn", 1).Succeeded);

        Assert.Equal(0, _broker.ListOffset("reborn", 0, OffsetQuery.Latest).Offset);
        Directory.Delete(kept, recursive: true);
    }

    private static byte[] Batch()
    {
        using var builder = new Storage.RecordBatchBuilder();
        builder.Add(1_700_000_000_000, null, "old"u8.ToArray());
        return builder.ToArray();
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
        }
    }

    private List<string> PartitionDirectories(string topic) =>
        [.. Directory.GetDirectories(_directory, topic + "-*").Select(Path.GetFileName).OfType<string>()];
}
