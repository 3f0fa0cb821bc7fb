using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Herald.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests;

public sealed class OperationsEndpointsTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    private static string CheckedInOpenApi => Path.Combine(RepositoryRoot.Path, "docs", "http-api.openapi.json");

    [Fact]
    public async Task Live_and_ready_answer_healthy_once_the_data_and_listeners_are_up()
    {
        Assert.Equal("Healthy", await server.Http.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await server.Http.GetStringAsync("/health/ready"));
    }

    [Fact]
    public async Task Metrics_show_the_broker_the_listener_and_the_disk_in_prometheus_format()
    {
        var topic = await server.CreateTopicAsync();
        var group = ServerUnderTest.NewTopic("metrics-group");
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = server.Bootstrap }).Build())
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "v" });
        }

        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = server.Bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest }).Build())
        {
            consumer.Assign(new TopicPartitionOffset(topic, 0, 0));
            consumer.Commit([new TopicPartitionOffset(topic, 0, 0)]);
        }

        var metrics = await server.Http.GetStringAsync("/metrics");
        Assert.Matches($"herald_broker_messages_in_total\\{{[^}}]*messaging_destination_name=\"{topic}\"[^}}]*\\}} 1", metrics);
        Assert.Matches($"herald_broker_bytes_in_bytes_total\\{{[^}}]*messaging_destination_name=\"{topic}\"", metrics);
        Assert.Matches("herald_kafka_request_duration_seconds_bucket\\{[^}]*kafka_api=\"Produce\"", metrics);
        Assert.Matches("herald_storage_fsync_duration_seconds_count(\\{[^}]*\\})? [1-9]", metrics);
        Assert.Contains("herald_kafka_connections", metrics, StringComparison.Ordinal);
        Assert.Matches($"herald_broker_group_lag\\{{[^}}]*messaging_consumer_group_name=\"{group}\"[^}}]*\\}} 1", metrics);
    }

    [Fact]
    public async Task The_served_openapi_document_covers_every_api_endpoint_and_matches_the_checked_in_one()
    {
        var document = JsonNode.Parse(await server.Http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var paths = document["paths"]!.AsObject();
        var endpoints = server.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(p => p.StartsWith("/api/", StringComparison.Ordinal))
            .Select(p => System.Text.RegularExpressions.Regex.Replace(p, ":[a-z]+}", "}"))
            .Distinct()
            .ToList();
        Assert.True(endpoints.Count >= 19, $"only {endpoints.Count} API endpoints were found");
        Assert.All(endpoints, path => Assert.True(paths.ContainsKey(path), $"{path} is missing from the OpenAPI document"));

        document.Remove("servers"); // the port differs from run to run
        var served = document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var checkedIn = File.Exists(CheckedInOpenApi) ? await File.ReadAllTextAsync(CheckedInOpenApi) : string.Empty;
        if (served != checkedIn)
        {
            var actual = Path.Combine(Path.GetTempPath(), "http-api.openapi.json");
            await File.WriteAllTextAsync(actual, served);
            Assert.Fail($"The API changed without docs/http-api.openapi.json: review {actual} and copy it there.");
        }
    }

    [Fact]
    public async Task What_confluent_kafka_produces_the_api_browses_and_what_the_api_produces_confluent_kafka_reads_with_cloud_events_headers()
    {
        var topic = await server.CreateTopicAsync();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = server.Bootstrap }).Build())
        {
            await producer.ProduceAsync(topic, new Message<string, string> { Key = "order-7", Value = "{\"total\":9}", Headers = [new Header("ce_type", "OrderPlaced.v1"u8.ToArray())] });
        }

        var browsed = Assert.Single((await server.GetJsonAsync($"/api/v1/topics/{topic}/records?type=OrderPlaced")).GetProperty("records").EnumerateArray());
        Assert.Equal("order-7", browsed.GetProperty("key").GetString());
        Assert.Equal(9, browsed.GetProperty("value").GetProperty("total").GetInt32());

        using var body = new StringContent("""{"specversion":"1.0","id":"evt-9","source":"/http","type":"OrderShipped.v1","partitionkey":"order-7","data":{"carrier":"dhl"}}""", System.Text.Encoding.UTF8, "application/cloudevents+json");
        using (var response = await server.Http.PostAsync($"/api/v1/topics/{topic}/records", body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = server.Bootstrap, GroupId = ServerUnderTest.NewTopic("reader"), AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, 1));
        var result = consumer.Consume(ServerUnderTest.Timeout) ?? throw new TimeoutException("nothing was consumed");
        Assert.Equal("order-7", result.Message.Key);
        Assert.Equal("dhl", JsonDocument.Parse(result.Message.Value).RootElement.GetProperty("carrier").GetString());
        string Header(string name) => System.Text.Encoding.UTF8.GetString(result.Message.Headers.GetLastBytes(name));
        Assert.Equal("evt-9", Header("ce_id"));
        Assert.Equal("OrderShipped.v1", Header("ce_type"));
        Assert.Equal("1.0", Header("ce_specversion"));
        Assert.Equal("application/json", Header("content-type"));
    }
}
