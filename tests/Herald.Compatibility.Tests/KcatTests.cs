using Herald.Testing;
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

    [Fact]
    public async Task What_the_http_api_produces_kcat_consumes_with_its_cloud_events_headers()
    {
        await ExternalTools.EnsureInstalledAsync();
        await using var served = await ServedHerald.StartAsync();
        using var http = new HttpClient { BaseAddress = await served.HttpAddressAsync(), Timeout = TimeSpan.FromSeconds(30) };
        using (var created = await http.PostAsync("/api/v1/topics", new StringContent("{\"name\":\"http-kc\"}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        using var binary = new HttpRequestMessage(HttpMethod.Post, "/api/v1/topics/http-kc/records") { Content = new StringContent("{\"orderId\":42}", System.Text.Encoding.UTF8, "application/json") };
        binary.Headers.Add("ce-specversion", "1.0");
        binary.Headers.Add("ce-id", "evt-42");
        binary.Headers.Add("ce-source", "/orders");
        binary.Headers.Add("ce-type", "OrderPlaced.v1");
        binary.Headers.Add("ce-partitionkey", "order-42");
        using (var produced = await http.SendAsync(binary))
        {
            Assert.True(produced.IsSuccessStatusCode, await produced.Content.ReadAsStringAsync());
        }

        var (exit, output, error) = await ExternalTools.RunAsync("kcat", ["-b", served.Bootstrap, "-m", "30", "-C", "-t", "http-kc", "-o", "beginning", "-e", "-f", "%k|%h|%s\n"]);
        Assert.True(exit == 0, error);
        var fields = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Split('|');
        Assert.Equal("order-42", fields[0]);
        Assert.Contains("ce_specversion=1.0", fields[1], StringComparison.Ordinal);
        Assert.Contains("ce_id=evt-42", fields[1], StringComparison.Ordinal);
        Assert.Contains("ce_type=OrderPlaced.v1", fields[1], StringComparison.Ordinal);
        Assert.Contains("content-type=application/json", fields[1], StringComparison.Ordinal);
        Assert.Equal("{\"orderId\":42}", fields[2]);
    }

    private static Task<(int ExitCode, string Output, string Error)> Kcat(HeraldServer herald, params string[] args) => KcatWithInput(herald, null, args);

    private static Task<(int ExitCode, string Output, string Error)> KcatWithInput(HeraldServer herald, string? input, params string[] args) =>
        ExternalTools.RunAsync("kcat", ["-b", herald.BootstrapServers, "-m", "30", .. args], input);
}
