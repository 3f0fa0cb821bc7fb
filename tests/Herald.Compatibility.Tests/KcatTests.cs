namespace Herald.Compatibility.Tests;

/// <summary>Debian's kcat (librdkafka 2.0.2, older protocol versions than Confluent.Kafka 2.16) against Herald.</summary>
public sealed class KcatTests
{
    [Fact]
    public async Task Lists_metadata_produces_consumes_and_joins_a_group()
    {
        await ExternalTools.EnsureInstalledAsync();
        await using var herald = await HeraldServer.StartAsync();
        herald.Broker.CreateTopic("kc", partitions: 2);

        var (listed, metadata, listError) = await Kcat(herald, "-L", "-J");
        Assert.True(listed == 0, listError);
        Assert.Contains("\"topic\":\"kc\"", metadata, StringComparison.Ordinal);
        Assert.Contains($"\"name\":\"{herald.BootstrapServers}\"", metadata, StringComparison.Ordinal);

        var lines = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"key{i % 10}:{i}")) + "\n"; // each key five times
        var (produced, _, produceError) = await KcatWithInput(herald, lines, "-P", "-t", "kc", "-K:", "-z", "snappy");
        Assert.True(produced == 0, produceError);

        var (consumed, output, consumeError) = await Kcat(herald, "-C", "-t", "kc", "-o", "beginning", "-e", "-f", "%k=%s %p@%o\n");
        Assert.True(consumed == 0, consumeError);
        var records = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(50, records.Length);
        var parsed = records.Select(r => r.Split(' ', '=', '@')).Select(p => (Key: p[0], Value: int.Parse(p[1]), Partition: p[2], Offset: long.Parse(p[3]))).ToList();
        Assert.Equal(Enumerable.Range(0, 50), parsed.Select(r => r.Value).Order());

        // Same key, same partition, in the order sent: kcat's partitioner hashes the key. Both partitions get keys.
        Assert.All(parsed.GroupBy(r => r.Key), g =>
        {
            Assert.Single(g.Select(r => r.Partition).Distinct());
            Assert.Equal(g.OrderBy(r => r.Value).Select(r => r.Value), g.OrderBy(r => r.Offset).Select(r => r.Value));
        });
        Assert.Equal(2, parsed.Select(r => r.Partition).Distinct().Count());

        // A balanced consumer group (-G) reads everything and commits.
        var (grouped, groupOutput, groupError) = await Kcat(herald, "-G", "kc-group", "-o", "beginning", "-e", "-f", "%s\n", "kc");
        Assert.True(grouped == 0, groupError);
        Assert.Equal(50, groupOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var committed = herald.Broker.FetchOffsets("kc-group");
        Assert.Equal(50, committed.Sum(c => c.Offset));
    }

    private static Task<(int ExitCode, string Output, string Error)> Kcat(HeraldServer herald, params string[] args) => KcatWithInput(herald, null, args);

    private static Task<(int ExitCode, string Output, string Error)> KcatWithInput(HeraldServer herald, string? input, params string[] args) =>
        ExternalTools.RunAsync("kcat", ["-b", herald.BootstrapServers, "-m", "30", .. args], input);
}
