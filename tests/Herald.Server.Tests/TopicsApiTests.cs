using System.Net;
using System.Text;
using System.Text.Json;

namespace Herald.Server.Tests;

public sealed class TopicsApiTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task A_created_topic_is_described_listed_altered_and_deleted()
    {
        var name = ServerUnderTest.NewTopic("orders");
        var created = await server.SendJsonAsync(HttpMethod.Post, "/api/v1/topics", new { name, partitions = 3, configs = new Dictionary<string, string> { ["retention.ms"] = "3600000" } }, HttpStatusCode.Created);
        Assert.Equal(3, created.GetProperty("partitions").GetArrayLength());

        var described = await server.GetJsonAsync($"/api/v1/topics/{name}");
        var retention = described.GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "retention.ms");
        Assert.Equal("3600000", retention.GetProperty("value").GetString());
        Assert.Equal("topic", retention.GetProperty("source").GetString());

        var listed = await server.GetJsonAsync($"/api/v1/topics?prefix={name}");
        Assert.Equal(name, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("name").GetString());

        var altered = await server.SendJsonAsync(HttpMethod.Patch, $"/api/v1/topics/{name}/configs", new Dictionary<string, string?> { ["retention.ms"] = null, ["retention.bytes"] = "1048576" });
        var configs = altered.GetProperty("configs").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("source").GetString());
        Assert.Equal("default", configs["retention.ms"]);
        Assert.Equal("topic", configs["retention.bytes"]);

        var grown = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{name}/partitions", new { count = 5 });
        Assert.Equal(5, grown.GetProperty("partitions").GetArrayLength());

        await server.SendJsonAsync(HttpMethod.Delete, $"/api/v1/topics/{name}", null, HttpStatusCode.NoContent);
        await server.GetJsonAsync($"/api/v1/topics/{name}", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Broker_refusals_are_problem_details_with_the_kafka_error_code()
    {
        var name = await server.CreateTopicAsync();

        var duplicate = await server.SendJsonAsync(HttpMethod.Post, "/api/v1/topics", new { name }, HttpStatusCode.Conflict);
        Assert.Equal(36, duplicate.GetProperty("kafkaErrorCode").GetInt32()); // TOPIC_ALREADY_EXISTS
        Assert.Equal(409, duplicate.GetProperty("status").GetInt32());

        var invalid = await server.SendJsonAsync(HttpMethod.Post, "/api/v1/topics", new { name = "bad name!" }, HttpStatusCode.BadRequest);
        Assert.Equal(17, invalid.GetProperty("kafkaErrorCode").GetInt32()); // INVALID_TOPIC_EXCEPTION

        var badConfig = await server.SendJsonAsync(HttpMethod.Patch, $"/api/v1/topics/{name}/configs", new Dictionary<string, string?> { ["retention.ms"] = "soon" }, HttpStatusCode.BadRequest);
        Assert.Equal(40, badConfig.GetProperty("kafkaErrorCode").GetInt32()); // INVALID_CONFIG

        var shrink = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{name}/partitions", new { count = 1 }, HttpStatusCode.BadRequest);
        Assert.Equal(37, shrink.GetProperty("kafkaErrorCode").GetInt32()); // INVALID_PARTITIONS

        var unknown = await server.SendJsonAsync(HttpMethod.Delete, $"/api/v1/topics/{ServerUnderTest.NewTopic("missing")}", null, HttpStatusCode.NotFound);
        Assert.Equal(3, unknown.GetProperty("kafkaErrorCode").GetInt32()); // UNKNOWN_TOPIC_OR_PARTITION
        Assert.Equal("application/problem+json", (await server.Http.GetAsync($"/api/v1/topics/{ServerUnderTest.NewTopic("missing")}")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem()
    {
        using var response = await server.Http.PostAsync("/api/v1/topics", new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_list_pages_by_cursor_without_repeating_or_skipping_a_topic()
    {
        var prefix = ServerUnderTest.NewTopic("page");
        var names = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            names.Add($"{prefix}-{i}");
            await server.SendJsonAsync(HttpMethod.Post, "/api/v1/topics", new { name = names[^1] }, HttpStatusCode.Created);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await server.GetJsonAsync($"/api/v1/topics?prefix={prefix}&limit=3" + (cursor is null ? string.Empty : $"&cursor={cursor}"));
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
            cursor = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(names.Order(StringComparer.Ordinal), seen);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData("/api/v1/topics?cursor=not-a-cursor")]
    [InlineData("/api/v1/topics?limit=0")]
    [InlineData("/api/v1/topics?limit=5000")]
    public async Task A_bad_cursor_or_limit_is_a_400(string path)
    {
        var problem = await server.GetJsonAsync(path, HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task The_list_shows_sizes_records_and_end_offsets_after_produce()
    {
        var name = await server.CreateTopicAsync(partitions: 2);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{name}/records", new { records = Enumerable.Range(0, 10).Select(i => new { key = $"k{i}", value = new { i } }) });

        var topic = Assert.Single((await server.GetJsonAsync($"/api/v1/topics?prefix={name}")).GetProperty("items").EnumerateArray());
        Assert.Equal(10, topic.GetProperty("records").GetInt64());
        Assert.True(topic.GetProperty("sizeBytes").GetInt64() > 10 * 8);
        var partitions = (await server.GetJsonAsync($"/api/v1/topics/{name}")).GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal(10, partitions.Sum(p => p.GetProperty("endOffset").GetInt64()));
        Assert.All(partitions, p => Assert.Equal(JsonValueKind.Number, p.GetProperty("sizeBytes").ValueKind));
    }
}
