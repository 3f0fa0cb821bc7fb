using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Herald.Server.Tests;

/// <summary>
/// Random and malformed requests, generated: the API answers each with a success or a 4xx problem, never a 5xx, and
/// what it acknowledged is exactly what is stored.
/// </summary>
public sealed class HostileRequestTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    private static readonly string[] Names = ["records", "key", "value", "valueFormat", "headers", "partition", "timestamp", "specversion", "id", "source", "type", "data", "data_base64", "datacontenttype", "time", "partitionkey"];
    private static readonly string[] ContentTypes = ["application/json", "application/cloudevents+json", "application/cloudevents-batch+json", "text/plain", "application/json; charset=utf-8", ""];

    private static readonly Gen<JsonNode?> Leaf = Gen.OneOf(
        Gen.Const((JsonNode?)null),
        Gen.Int[-3, 5].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.OneOf("1.0", "json", "string", "base64", "AAEC", "x", "", "2026-12-03T10:00:00Z", "not a time", "/s", "T", "%zz").Select(s => (JsonNode?)JsonValue.Create(s)));

    private static readonly Gen<JsonNode?> Node = Gen.Recursive<JsonNode?>((depth, inner) => depth >= 3
        ? Leaf
        : Gen.Frequency(
            (4, Leaf),
            (2, Gen.Select(Gen.OneOf(Names).Array[0, 6], inner.Array[6], (keys, values) => (JsonNode?)new JsonObject(keys.Distinct().Select((k, i) => KeyValuePair.Create(k, values[i]?.DeepClone()))))),
            (1, inner.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items.Select(n => n?.DeepClone())])))));

    private static readonly Gen<byte[]> Bodies = Gen.Frequency(
        (6, Node.Select(n => Encoding.UTF8.GetBytes(n?.ToJsonString() ?? "null"))),
        (1, Gen.Byte.Array[0, 200]),
        (1, Node.Select(n => Encoding.UTF8.GetBytes(n?.ToJsonString() ?? "null")).Select(b => b.AsSpan(0, b.Length / 2).ToArray())));

    [Fact]
    public async Task Random_produce_bodies_get_a_success_or_a_4xx_and_every_acknowledged_record_is_stored()
    {
        var topic = await server.CreateTopicAsync(partitions: 3);
        long acknowledged = 0;
        var statuses = new List<HttpStatusCode>();
        var sample = Gen.Select(Bodies, Gen.OneOf(ContentTypes), Gen.Bool);
        await sample.SampleAsync(
            async (body, contentType, binary) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/topics/{topic}/records") { Content = new ByteArrayContent(body) };
                if (contentType.Length > 0)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }

                if (binary)
                {
                    request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
                    request.Headers.TryAddWithoutValidation("ce-id", "x");
                    request.Headers.TryAddWithoutValidation("ce-source", "%zz");
                    request.Headers.TryAddWithoutValidation("ce-type", "T");
                }

                using var response = await server.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {contentType} {Encoding.UTF8.GetString(body)}: {text}");
                if (response.IsSuccessStatusCode)
                {
                    acknowledged += JsonDocument.Parse(text).RootElement.GetProperty("records").GetArrayLength();
                }
                else
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }

                statuses.Add(response.StatusCode);
            },
            iter: 300,
            threads: 1);

        Assert.Contains(HttpStatusCode.OK, statuses); // the generator reaches valid bodies too
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        var stored = (await server.GetJsonAsync($"/api/v1/topics/{topic}")).GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("endOffset").GetInt64());
        Assert.Equal(acknowledged, stored);
        Assert.Equal("Healthy", await server.Http.GetStringAsync("/health/ready"));
    }

    [Fact]
    public async Task Random_browse_trace_and_group_parameters_never_fail_the_server()
    {
        var topic = await server.CreateTopicAsync(partitions: 2);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 20).Select(i => new { key = $"k{i % 3}", value = i }) });
        string[] values = ["", "-1", "0", "1", "99999999999999999999", "abc", "2026-12-03T10:00:00Z", "k1", "x:y", ":", "%00", "eyJ9", "eyIwIjotNX0", "OrderPlaced.v0"];
        string[] parameters = ["partition", "offset", "time", "last", "limit", "key", "header", "type", "contains", "cursor", "since", "until", "traceId", "correlationId", "topics", "direction", "from", "prefix"];
        string[] paths = [$"/api/v1/topics/{topic}/records", "/api/v1/trace", "/api/v1/groups", "/api/v1/topics", $"/api/v1/groups/{topic}", "/api/v1/dead-letters", "/api/v1/streams"];
        var sample = Gen.Select(Gen.OneOf(paths), Gen.Select(Gen.OneOf(parameters), Gen.OneOf(values)).Array[0, 4]);
        await sample.SampleAsync(
            async (path, query) =>
            {
                var url = path + "?" + string.Join('&', query.Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2)}"));
                using var response = await server.Http.GetAsync(url);
                Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {url}: {await response.Content.ReadAsStringAsync()}");
            },
            iter: 300,
            threads: 1);
    }
}
