using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Herald.Server.Tests;

public sealed class ProduceApiTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task A_batch_lands_keys_on_their_partitions_in_order_and_reports_each_offset()
    {
        var topic = await server.CreateTopicAsync(partitions: 4);
        var records = Enumerable.Range(0, 40).Select(i => new { key = $"customer-{i % 5}", value = new { i } }).ToArray();

        var result = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records });

        var positions = result.GetProperty("records").EnumerateArray().Select(r => (Partition: r.GetProperty("partition").GetInt32(), Offset: r.GetProperty("offset").GetInt64())).ToList();
        Assert.Equal(40, positions.Count);
        for (var customer = 0; customer < 5; customer++)
        {
            var mine = Enumerable.Range(0, 40).Where(i => i % 5 == customer).Select(i => positions[i]).ToList();
            Assert.Single(mine.Select(p => p.Partition).Distinct());
            Assert.Equal(mine.Select(p => p.Offset).Order(), mine.Select(p => p.Offset)); // the request's order is kept per key
        }

        Assert.Equal(40, positions.Distinct().Count());
        var browsed = await server.GetJsonAsync($"/api/v1/topics/{topic}/records?limit=100");
        Assert.Equal(40, browsed.GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task Value_formats_store_json_text_a_string_or_decoded_bytes()
    {
        var topic = await server.CreateTopicAsync();
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new
        {
            records = new object[]
            {
                new { value = new { total = 12.5 } },
                new { value = "plain text", valueFormat = "string" },
                new { value = Convert.ToBase64String([0xff, 0x00, 0xfe]), valueFormat = "base64" },
                new { key = "gone" },
            },
        });

        var records = (await server.GetJsonAsync($"/api/v1/topics/{topic}/records")).GetProperty("records").EnumerateArray().ToList();
        Assert.Equal("json", records[0].GetProperty("valueEncoding").GetString());
        Assert.Equal(12.5, records[0].GetProperty("value").GetProperty("total").GetDouble());
        Assert.Equal("utf8", records[1].GetProperty("valueEncoding").GetString());
        Assert.Equal("plain text", records[1].GetProperty("value").GetString());
        Assert.Equal("base64", records[2].GetProperty("valueEncoding").GetString());
        Assert.Equal(Convert.ToBase64String([0xff, 0x00, 0xfe]), records[2].GetProperty("value").GetString());
        Assert.Equal("null", records[3].GetProperty("valueEncoding").GetString()); // a tombstone
    }

    [Fact]
    public async Task A_structured_cloud_event_is_stored_in_kafka_binary_mode()
    {
        var topic = await server.CreateTopicAsync();
        const string Event = """{"specversion":"1.0","id":"evt-1","source":"/orders","type":"OrderPlaced.v1","time":"2026-12-03T10:00:00Z","partitionkey":"order-42","correlationid":"corr-7","data":{"orderId":42}}""";

        using var response = await server.Http.PostAsync($"/api/v1/topics/{topic}/records", new StringContent(Event, Encoding.UTF8, "application/cloudevents+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var record = Assert.Single((await server.GetJsonAsync($"/api/v1/topics/{topic}/records")).GetProperty("records").EnumerateArray());
        var headers = Headers(record);
        Assert.Equal("1.0", headers["ce_specversion"]);
        Assert.Equal("evt-1", headers["ce_id"]);
        Assert.Equal("OrderPlaced.v1", headers["ce_type"]);
        Assert.Equal("corr-7", headers["ce_correlationid"]);
        Assert.Equal("application/json", headers["content-type"]);
        Assert.Equal("order-42", record.GetProperty("key").GetString());
        Assert.Equal(42, record.GetProperty("value").GetProperty("orderId").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), record.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("OrderPlaced.v1", record.GetProperty("cloudEvent").GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_cloud_events_batch_and_a_binary_mode_event_are_stored_alike()
    {
        var topic = await server.CreateTopicAsync();
        const string Batch = """[{"specversion":"1.0","id":"a","source":"/s","type":"T"},{"specversion":"1.0","id":"b","source":"/s","type":"T","datacontenttype":"text/plain","data":"hello"}]""";
        using (var response = await server.Http.PostAsync($"/api/v1/topics/{topic}/records?key=k", new StringContent(Batch, Encoding.UTF8, "application/cloudevents-batch+json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var binary = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/topics/{topic}/records") { Content = new ByteArrayContent([1, 2, 3]) })
        {
            binary.Headers.Add("ce-specversion", "1.0");
            binary.Headers.Add("ce-id", "c");
            binary.Headers.Add("ce-source", "/s");
            binary.Headers.Add("ce-type", "Binary");
            binary.Headers.Add("ce-subject", "order%2042"); // percent-encoded, as the HTTP binding says
            binary.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var response = await server.Http.SendAsync(binary);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var records = (await server.GetJsonAsync($"/api/v1/topics/{topic}/records")).GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(["a", "b", "c"], records.Select(r => Headers(r)["ce_id"]));
        Assert.Equal("hello", records[1].GetProperty("value").GetString());
        Assert.Equal("text/plain", Headers(records[1])["content-type"]);
        Assert.Equal("k", records[0].GetProperty("key").GetString());
        Assert.Equal(Convert.ToBase64String([1, 2, 3]), records[2].GetProperty("value").GetString());
        Assert.Equal("order 42", Headers(records[2])["ce_subject"]);
        Assert.Equal("application/octet-stream", Headers(records[2])["content-type"]);
    }

    [Theory]
    [InlineData("application/cloudevents+json", """{"specversion":"1.0","source":"/s","type":"T"}""")] // no id
    [InlineData("application/cloudevents+json", """{"specversion":"9.9","id":"x","source":"/s","type":"T"}""")]
    [InlineData("application/cloudevents-batch+json", "[]")]
    [InlineData("application/json", """{"records": []}""")]
    [InlineData("application/json", """[1, 2]""")]
    [InlineData("application/json", """{"value": 1, "valueFormat": "yaml"}""")]
    [InlineData("application/json", """{"value": 1, "valueFormat": "base64"}""")]
    [InlineData("application/json", """{"value": 1, "partition": -1}""")]
    [InlineData("application/json", """{"value": 1, "headers": {"a": 5}}""")]
    [InlineData("application/json", """{"value": 1, "timestamp": "yesterday"}""")]
    [InlineData("application/json", """{"value": """)]
    public async Task A_malformed_body_is_a_400_problem_and_stores_nothing(string contentType, string body)
    {
        var topic = await server.CreateTopicAsync();
        using var response = await server.Http.PostAsync($"/api/v1/topics/{topic}/records", new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await server.GetJsonAsync($"/api/v1/topics/{topic}")).GetProperty("partitions")[0].GetProperty("endOffset").GetInt64());
    }

    [Fact]
    public async Task Unknown_topics_partitions_media_types_and_acks_are_refused_with_their_status()
    {
        var topic = await server.CreateTopicAsync(partitions: 2);

        var unknownTopic = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{ServerUnderTest.NewTopic("nope")}/records", new { value = 1 }, HttpStatusCode.NotFound);
        Assert.Equal(3, unknownTopic.GetProperty("kafkaErrorCode").GetInt32());
        var unknownPartition = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = 1, partition = 2 }, HttpStatusCode.NotFound);
        Assert.Equal(3, unknownPartition.GetProperty("kafkaErrorCode").GetInt32());
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records?acks=2", new { value = 1 }, HttpStatusCode.BadRequest);

        using var xml = await server.Http.PostAsync($"/api/v1/topics/{topic}/records", new StringContent("<a/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
    }

    [Fact]
    public async Task More_records_than_one_request_may_carry_are_refused_before_any_is_stored()
    {
        var topic = await server.CreateTopicAsync();
        var problem = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 10_001).Select(_ => new { }) }, HttpStatusCode.BadRequest);
        Assert.Contains("at most 10000 records", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await server.GetJsonAsync($"/api/v1/topics/{topic}")).GetProperty("partitions")[0].GetProperty("endOffset").GetInt64());
    }

    [Fact]
    public async Task Acks_one_and_zero_still_store_the_records()
    {
        var topic = await server.CreateTopicAsync();
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records?acks=1", new { value = 1 });
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records?acks=0", new { value = 2 });

        // acks=1 and 0 are made durable by the broker's interval flush; browse shows only durable records.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await server.GetJsonAsync($"/api/v1/topics/{topic}/records")).GetProperty("records").GetArrayLength() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "records produced with acks=1 and 0 never became visible");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_batch_over_the_topics_max_message_bytes_is_a_413_with_message_too_large()
    {
        var name = ServerUnderTest.NewTopic("small");
        await server.SendJsonAsync(HttpMethod.Post, "/api/v1/topics", new { name, configs = new Dictionary<string, string> { ["max.message.bytes"] = "1024" } }, HttpStatusCode.Created);

        var problem = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{name}/records", new { value = new string('x', 4000), valueFormat = "string" }, HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(10, problem.GetProperty("kafkaErrorCode").GetInt32()); // MESSAGE_TOO_LARGE
        Assert.Equal(-1, problem.GetProperty("records")[0].GetProperty("offset").GetInt64());
    }

    private static Dictionary<string, string?> Headers(JsonElement record) =>
        record.GetProperty("headers").EnumerateArray().ToDictionary(h => h.GetProperty("name").GetString()!, h => h.GetProperty("value").GetString());
}
