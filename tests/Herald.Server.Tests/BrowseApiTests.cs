using System.Net;

namespace Herald.Server.Tests;

public sealed class BrowseApiTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task Filters_keep_only_records_matching_key_header_type_and_body_text()
    {
        var topic = await server.CreateTopicAsync(partitions: 3);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new
        {
            records = new object[]
            {
                new { key = "order-1", value = new { note = "Blue widget" }, headers = new Dictionary<string, string> { ["ce_type"] = "OrderPlaced.v1", ["region"] = "eu" } },
                new { key = "order-2", value = new { note = "red widget" }, headers = new Dictionary<string, string> { ["ce_type"] = "OrderPlaced.v2", ["region"] = "us" } },
                new { key = "order-1", value = new { note = "paid" }, headers = new Dictionary<string, string> { ["ce_type"] = "OrderPaid.v1", ["region"] = "eu" } },
            },
        });

        Assert.Equal(2, await CountAsync($"key=order-1"));
        Assert.Equal(2, await CountAsync("header=region:eu"));
        Assert.Equal(3, await CountAsync("header=region"));
        Assert.Equal(2, await CountAsync("type=OrderPlaced"));
        Assert.Equal(1, await CountAsync("type=OrderPlaced.v2"));
        Assert.Equal(2, await CountAsync("contains=WIDGET"));
        Assert.Equal(1, await CountAsync("key=order-1&contains=widget"));
        Assert.Equal(0, await CountAsync("key=order-3"));

        async Task<int> CountAsync(string query) =>
            (await server.GetJsonAsync($"/api/v1/topics/{topic}/records?{query}")).GetProperty("records").GetArrayLength();
    }

    [Fact]
    public async Task Pages_by_cursor_cover_every_partition_once_in_offset_order()
    {
        var topic = await server.CreateTopicAsync(partitions: 3);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 50).Select(i => new { key = $"k{i}", value = new { i } }) });

        var seen = new List<(int Partition, long Offset)>();
        string? cursor = null;
        do
        {
            var page = await server.GetJsonAsync($"/api/v1/topics/{topic}/records?limit=7" + (cursor is null ? string.Empty : $"&cursor={cursor}"));
            var records = page.GetProperty("records").EnumerateArray().ToList();
            Assert.True(records.Count <= 7);
            seen.AddRange(records.Select(r => (r.GetProperty("partition").GetInt32(), r.GetProperty("offset").GetInt64())));
            cursor = page.TryGetProperty("next", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(50, seen.Count);
        Assert.Equal(50, seen.Distinct().Count());
        foreach (var partition in seen.GroupBy(s => s.Partition))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(p => p.Offset));
        }
    }

    [Fact]
    public async Task A_browse_starts_at_an_offset_a_time_or_the_last_records()
    {
        var topic = await server.CreateTopicAsync();
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new
        {
            records = Enumerable.Range(0, 10).Select(i => new { value = new { i }, timestamp = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture).AddMinutes(i) }),
        });

        Assert.Equal(new long[] { 7, 8, 9 }, await OffsetsAsync("partition=0&offset=7"));
        Assert.Equal(new long[] { 8, 9 }, await OffsetsAsync("last=2"));
        Assert.Equal(new long[] { 5, 6, 7, 8, 9 }, await OffsetsAsync("time=2026-01-01T00:05:00Z"));
        Assert.Empty(await OffsetsAsync("time=2030-01-01T00:00:00Z"));
        Assert.Equal(new long[] { 0, 1 }, await OffsetsAsync("offset=0&limit=2"));

        async Task<long[]> OffsetsAsync(string query) =>
            [.. (await server.GetJsonAsync($"/api/v1/topics/{topic}/records?{query}")).GetProperty("records").EnumerateArray().Select(r => r.GetProperty("offset").GetInt64())];
    }

    [Theory]
    [InlineData("cursor=abc")]
    [InlineData("partition=9")]
    [InlineData("offset=1&time=2026-01-01T00:00:00Z")]
    [InlineData("offset=-1")]
    [InlineData("limit=0")]
    [InlineData("header=:x")]
    [InlineData("time=yesterday")]
    public async Task Bad_browse_parameters_are_refused_with_a_problem(string query)
    {
        var topic = await server.CreateTopicAsync(partitions: 2);
        using var response = await server.Http.GetAsync($"/api/v1/topics/{topic}/records?{query}");
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{query}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Records_with_timestamps_no_date_can_hold_and_empty_types_are_shown_not_failed()
    {
        var topic = await server.CreateTopicAsync();
        using (var producer = new Confluent.Kafka.ProducerBuilder<Confluent.Kafka.Null, string>(new Confluent.Kafka.ProducerConfig { BootstrapServers = server.Bootstrap }).Build())
        {
            // Microseconds written as milliseconds, as a misconfigured producer does: far past year 9999.
            await producer.ProduceAsync(topic, new Confluent.Kafka.Message<Confluent.Kafka.Null, string> { Value = "micro", Timestamp = new Confluent.Kafka.Timestamp(1_700_000_000_000_000, Confluent.Kafka.TimestampType.CreateTime) });
        }

        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = "untyped", valueFormat = "string", headers = new Dictionary<string, string> { ["ce_type"] = "" } });

        var all = (await server.GetJsonAsync($"/api/v1/topics/{topic}/records")).GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(2, all.Count);
        Assert.Equal(9999, all[0].GetProperty("timestamp").GetDateTimeOffset().Year);
        Assert.Empty((await server.GetJsonAsync($"/api/v1/topics/{topic}/records?type=OrderPlaced")).GetProperty("records").EnumerateArray());
        var problem = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{ServerUnderTest.NewTopic("g")}/offsets/reset", new { to = "latest" }, HttpStatusCode.BadRequest);
        Assert.Contains("topic", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cursor_from_one_partition_is_refused_for_all_of_them()
    {
        var topic = await server.CreateTopicAsync(partitions: 2);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 4).Select(i => new { value = i, partition = 0 }) });
        var page = await server.GetJsonAsync($"/api/v1/topics/{topic}/records?partition=0&limit=1");

        var problem = await server.GetJsonAsync($"/api/v1/topics/{topic}/records?cursor={page.GetProperty("next").GetString()}", HttpStatusCode.BadRequest);
        Assert.Contains("partition", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_search_that_matches_little_stops_at_the_scan_budget_and_says_so()
    {
        var small = new ServerUnderTest { ConfigureHttp = http => http with { MaxScanBytes = 64 * 1024 } };
        await small.InitializeAsync();
        try
        {
            var topic = await small.CreateTopicAsync();
            for (var batch = 0; batch < 4; batch++)
            {
                await small.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 100).Select(i => new { value = new string('x', 1000), valueFormat = "string" }) });
            }

            await small.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = "needle", valueFormat = "string" });

            var first = await small.GetJsonAsync($"/api/v1/topics/{topic}/records?contains=needle");
            Assert.True(first.GetProperty("cut").GetBoolean());
            Assert.Empty(first.GetProperty("records").EnumerateArray());
            Assert.InRange(first.GetProperty("scannedBytes").GetInt64(), 1, 64 * 1024 + 110 * 1024); // at most one whole batch past the budget

            var pages = 1;
            var page = first;
            while (page.GetProperty("records").GetArrayLength() == 0)
            {
                page = await small.GetJsonAsync($"/api/v1/topics/{topic}/records?contains=needle&cursor={page.GetProperty("next").GetString()}");
                Assert.True(++pages < 20, "the search never reached the needle");
            }

            Assert.Equal(400, Assert.Single(page.GetProperty("records").EnumerateArray()).GetProperty("offset").GetInt64());
            Assert.True(pages > 2);
        }
        finally
        {
            await small.DisposeAsync();
        }
    }
}
