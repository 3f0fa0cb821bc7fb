using Herald.Storage;

namespace Herald.Broker.Tests;

/// <summary>
/// Kafka's order of precedence: a topic override, then the broker's setting, then the built-in default. Regression: every
/// topic carried the built-in defaults, so the broker's storage settings (<see cref="BrokerOptions.Log"/>) had no effect.
/// </summary>
public sealed class TopicConfigTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-broker-tests", Guid.NewGuid().ToString("N"));
    private HeraldBroker _broker = null!;

    private BrokerOptions Options => new()
    {
        DataDirectory = _directory,
        Log = BrokerOptions.Default.Log with { RetentionTime = TimeSpan.FromHours(1), SegmentBytes = 1024 * 1024, MaxBatchBytes = 2 * 1024 * 1024 },
    };

    public async Task InitializeAsync() => _broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_topic_without_overrides_follows_the_brokers_storage_settings()
    {
        Assert.True(_broker.CreateTopic("plain", 1).Succeeded);
        var config = _broker.DescribeTopic("plain")!.Config;

        Assert.Equal("3600000", config.Effective[TopicConfig.RetentionMs]);
        Assert.Equal("1048576", config.Effective[TopicConfig.SegmentBytes]);
        Assert.Equal("2097152", config.Effective[TopicConfig.MaxMessageBytes]);
        Assert.Equal(ConfigOrigin.Broker, config.OriginOf(TopicConfig.RetentionMs));
        Assert.Equal(ConfigOrigin.Default, config.OriginOf(TopicConfig.SegmentMs));

        // The partitions use them: a batch above Kafka's 1 MiB default but within the broker's 2 MiB is accepted.
        var produced = await _broker.ProduceAsync("plain", 0, Batch(1536 * 1024));
        Assert.Equal(ErrorCode.None, produced.Error);
    }

    [Fact]
    public async Task A_topic_override_wins_and_removing_it_goes_back_to_the_brokers_setting_across_a_restart()
    {
        Assert.True(_broker.CreateTopic("custom", 1, new Dictionary<string, string> { [TopicConfig.RetentionMs] = "60000" }).Succeeded);
        var config = _broker.DescribeTopic("custom")!.Config;
        Assert.Equal(("60000", "1048576"), (config.Effective[TopicConfig.RetentionMs], config.Effective[TopicConfig.SegmentBytes]));
        Assert.Equal(ConfigOrigin.Topic, config.OriginOf(TopicConfig.RetentionMs));

        Assert.True(_broker.AlterTopicConfig("custom", [new KeyValuePair<string, string?>(TopicConfig.RetentionMs, null)]).Succeeded);
        await _broker.DisposeAsync();
        _broker = await HeraldBroker.StartAsync(Options).WaitAsync(Timeout);

        Assert.Equal("3600000", _broker.DescribeTopic("custom")!.Config.Effective[TopicConfig.RetentionMs]);
        Assert.Empty(_broker.DescribeTopic("custom")!.Config.Overrides);
    }

    private static byte[] Batch(int valueBytes)
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1_700_000_000_000, null, new byte[valueBytes]);
        return builder.ToArray();
    }
}
