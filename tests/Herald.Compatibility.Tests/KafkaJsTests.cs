using System.Text.Json;

namespace Herald.Compatibility.Tests;

/// <summary>kafkajs 2.2.4 (its own protocol implementation, older versions than librdkafka) against Herald.</summary>
public sealed class KafkaJsTests
{
    [Fact]
    public async Task Produces_with_keys_headers_and_gzip_and_a_group_commits()
    {
        await using var herald = await HeraldServer.StartAsync();
        using var result = await Scenario(herald, "produce");
        var root = result.RootElement;
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), root.GetProperty("sent").EnumerateArray().Select(e => e.GetInt64()));
        var received = root.GetProperty("received").EnumerateArray().ToList();
        Assert.Equal(20, received.Count);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"k{i}", received[i].GetProperty("key").GetString());
            Assert.Equal($"OrderPlaced {i}", received[i].GetProperty("value").GetString());
            Assert.Equal($"t{i}", received[i].GetProperty("trace").GetString());
            Assert.Equal(i, received[i].GetProperty("offset").GetInt64());
        }

        Assert.Equal([20L], root.GetProperty("committed").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public async Task Idempotent_producer_writes_each_message_once_in_order()
    {
        await using var herald = await HeraldServer.StartAsync();
        using var result = await Scenario(herald, "idempotent");
        Assert.Equal(Enumerable.Range(0, 1000), result.RootElement.GetProperty("values").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task A_group_of_two_shares_the_partitions_and_commits()
    {
        await using var herald = await HeraldServer.StartAsync();
        using var result = await Scenario(herald, "group");
        var root = result.RootElement;
        var assigned = root.GetProperty("assigned").EnumerateArray().Select(a => a.EnumerateArray().Select(p => p.GetInt32()).ToList()).ToList();
        Assert.Equal([0, 1], assigned.SelectMany(a => a).Order());
        Assert.Equal([20, 20], root.GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([20L, 20L], root.GetProperty("committed").EnumerateArray().Select(e => e.GetInt64()));
    }

    private static async Task<JsonDocument> Scenario(HeraldServer herald, string name)
    {
        await ExternalTools.EnsureInstalledAsync();
        var node = Path.Combine(ExternalTools.TestsDirectory, "Herald.Compatibility.Tests", "node");
        var (exitCode, output, error) = await ExternalTools.RunAsync("node", ["scenarios.js", name, herald.BootstrapServers], workingDirectory: node);
        Assert.True(exitCode == 0, $"kafkajs scenario '{name}' failed: {error}");
        return JsonDocument.Parse(output);
    }
}
