using System.Net;
using System.Text;
using Herald.Broker;
using Herald.EventSourcing;
using Herald.Kafka;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests;

public sealed class TraceAndEventStoreApiTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task A_trace_or_correlation_id_is_followed_across_topics_in_time_order()
    {
        var orders = await server.CreateTopicAsync(partitions: 2, prefix: "orders");
        var payments = await server.CreateTopicAsync(prefix: "payments");
        var trace = Guid.NewGuid().ToString("N");
        var other = Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow;
        await Produce(orders, "placed", trace, "order-42", at);
        await Produce(payments, "paid", trace, "order-42", at.AddMilliseconds(5));
        await Produce(orders, "unrelated", other, "order-43", at.AddMilliseconds(7));
        await Produce(orders, "shipped", trace, "order-42", at.AddMilliseconds(10));

        var byTrace = await server.GetJsonAsync($"/api/v1/trace?traceId={trace}&topics={orders},{payments}");
        Assert.Equal(["placed", "paid", "shipped"], byTrace.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        Assert.False(byTrace.GetProperty("cut").GetBoolean());

        var byCorrelation = await server.GetJsonAsync("/api/v1/trace?correlationId=order-43");
        Assert.Equal("unrelated", Assert.Single(byCorrelation.GetProperty("records").EnumerateArray()).GetProperty("value").GetString());

        var outside = await server.GetJsonAsync($"/api/v1/trace?traceId={trace}&until={Uri.EscapeDataString(at.AddHours(-1).ToString("O"))}");
        Assert.Empty(outside.GetProperty("records").EnumerateArray());

        await server.GetJsonAsync("/api/v1/trace", HttpStatusCode.BadRequest);
        await server.GetJsonAsync($"/api/v1/trace?traceId=xyz", HttpStatusCode.BadRequest);
        await server.GetJsonAsync($"/api/v1/trace?traceId={trace}&correlationId=a", HttpStatusCode.BadRequest);
        await server.GetJsonAsync($"/api/v1/trace?traceId={trace}&topics={ServerUnderTest.NewTopic("nope")}", HttpStatusCode.NotFound);

        Task Produce(string topic, string what, string traceId, string correlation, DateTimeOffset time) =>
            server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new
            {
                value = what,
                valueFormat = "string",
                timestamp = time,
                headers = new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-0123456789abcdef-01", ["ce_correlationid"] = correlation },
            });
    }

    [Fact]
    public async Task Without_an_event_store_its_endpoints_say_so()
    {
        foreach (var path in new[] { "/api/v1/streams", "/api/v1/streams/order-1", "/api/v1/events", "/api/v1/projections" })
        {
            var problem = await server.GetJsonAsync(path, HttpStatusCode.NotFound);
            Assert.Contains("--event-store", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_embedded_event_store_is_listed_read_and_paged()
    {
        var directory = Path.Combine(Path.GetTempPath(), "herald-server-store-" + Guid.NewGuid().ToString("N"));
        await using (var store = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = Path.Combine(directory, "events") }))
        {
            for (var order = 1; order <= 3; order++)
            {
                await store.AppendAsync($"order-{order}", ExpectedVersion.NoStream, [.. Enumerable.Range(0, order * 2).Select(i => new EventData(Guid.CreateVersion7(), "OrderNoted.v1", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}")) { CorrelationId = $"c-{order}" })]);
            }
        }

        var options = new HeraldServerOptions
        {
            Broker = BrokerOptions.Default with { DataDirectory = Path.Combine(directory, "data") },
            Kafka = KafkaServerOptions.Default with { Listen = new IPEndPoint(IPAddress.Loopback, 0) },
            Http = HttpOptions.Default with { Listen = new IPEndPoint(IPAddress.Loopback, 0) },
            EventStore = new EventStoreOptions { Directory = Path.Combine(directory, "events") },
        };
        await using (var withStore = await HeraldServer.StartAsync(options, logging => logging.SetMinimumLevel(LogLevel.Warning)))
        {
            using var http = new HttpClient { BaseAddress = withStore.HttpAddress };
            var streams = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/v1/streams?prefix=order-&limit=2")).RootElement;
            Assert.Equal(["order-1", "order-2"], streams.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
            Assert.Equal(3, streams.GetProperty("items")[1].GetProperty("version").GetInt64());

            var first = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/v1/streams/order-3?limit=4")).RootElement;
            Assert.Equal(5, first.GetProperty("version").GetInt64());
            Assert.Equal(4, first.GetProperty("next").GetInt64());
            Assert.Equal(3, first.GetProperty("events")[3].GetProperty("data").GetProperty("n").GetInt32());
            Assert.Equal("c-3", first.GetProperty("events")[0].GetProperty("correlationId").GetString());

            var backwards = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/v1/streams/order-3?direction=backwards&limit=1")).RootElement;
            Assert.Equal(5, backwards.GetProperty("events")[0].GetProperty("version").GetInt64());

            var all = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/api/v1/events?from=0&limit=5")).RootElement;
            Assert.Equal(5, all.GetProperty("events").GetArrayLength());
            var rest = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/v1/events?from={all.GetProperty("next").GetInt64()}&limit=100")).RootElement;
            Assert.Equal(12 - 5, rest.GetProperty("events").GetArrayLength());

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/streams/order-9")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/streams/$all")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/streams/order-1?direction=sideways")).StatusCode);
            Assert.Equal("[]", await http.GetStringAsync("/api/v1/projections"));
        }

        Directory.Delete(directory, recursive: true);
    }
}
