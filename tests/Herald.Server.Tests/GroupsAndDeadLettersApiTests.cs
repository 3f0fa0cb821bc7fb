using System.Net;
using Confluent.Kafka;
using Herald.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Tests;

public sealed class GroupsAndDeadLettersApiTests(ServerUnderTest server) : IClassFixture<ServerUnderTest>
{
    [Fact]
    public async Task A_groups_lag_is_described_and_its_offsets_reset_with_a_preview_only_when_it_is_idle()
    {
        var topic = await server.CreateTopicAsync(partitions: 2);
        var group = ServerUnderTest.NewTopic("group");
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 20).Select(i => new { value = i, partition = i % 2 }) });

        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = server.Bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false }).Build())
        {
            consumer.Subscribe(topic);
            var read = 0;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            ConsumeResult<Ignore, string>? last = null;
            while (read < 6 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } result)
                {
                    consumer.Commit(result);
                    last = result;
                    read++;
                }
            }

            Assert.NotNull(last);
            var active = await server.GetJsonAsync($"/api/v1/groups/{group}");
            Assert.Equal("Stable", active.GetProperty("state").GetString());
            var member = Assert.Single(active.GetProperty("members").EnumerateArray());
            Assert.Equal(topic, Assert.Single(member.GetProperty("assignment").EnumerateArray()).GetProperty("topic").GetString());
            Assert.Equal(20 - 6, active.GetProperty("lag").GetInt64());

            var refused = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{group}/offsets/reset", new { topic, to = "earliest" }, HttpStatusCode.Conflict);
            Assert.Equal(68, refused.GetProperty("kafkaErrorCode").GetInt32()); // NON_EMPTY_GROUP
            consumer.Close();
        }

        var listed = await server.GetJsonAsync("/api/v1/groups?limit=1000");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), g => g.GetProperty("groupId").GetString() == group);

        var preview = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{group}/offsets/reset", new { topic, to = "offset", offset = 2, dryRun = true });
        Assert.True(preview.GetProperty("dryRun").GetBoolean());
        Assert.All(preview.GetProperty("changes").EnumerateArray(), c => Assert.Equal(2, c.GetProperty("to").GetInt64()));
        Assert.Equal(14, (await server.GetJsonAsync($"/api/v1/groups/{group}")).GetProperty("lag").GetInt64()); // a preview changes nothing

        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{group}/offsets/reset", new { topic, to = "offset", offset = 2 });
        Assert.Equal(16, (await server.GetJsonAsync($"/api/v1/groups/{group}")).GetProperty("lag").GetInt64());
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{group}/offsets/reset", new { topic, to = "latest", partitions = new[] { 1 } });
        Assert.Equal(8, (await server.GetJsonAsync($"/api/v1/groups/{group}")).GetProperty("lag").GetInt64());

        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{group}/offsets/reset", new { topic, to = "sometime" }, HttpStatusCode.BadRequest);
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/groups/{group}/offsets/reset", new { topic, to = "offset", partitions = new[] { 7 }, offset = 1 }, HttpStatusCode.NotFound);

        await server.SendJsonAsync(HttpMethod.Delete, $"/api/v1/groups/{group}", null, HttpStatusCode.NoContent);
        var gone = await server.GetJsonAsync($"/api/v1/groups/{group}", HttpStatusCode.NotFound);
        Assert.Equal(69, gone.GetProperty("kafkaErrorCode").GetInt32()); // GROUP_ID_NOT_FOUND
    }

    [Fact]
    public async Task Dead_letters_from_the_sdk_are_listed_shown_redriven_and_purged_through_the_api()
    {
        var topic = await server.CreateTopicAsync();
        var group = "email";
        var dlq = $"{topic}.{group}.dlq";
        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = new object[] { new { key = "a", value = new { not = "an event" } }, new { key = "b", value = new { not = "an event" } } } });

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHerald(h => h.UseKafka(server.Bootstrap).MapTopic<Noticed>(topic)).AddConsumer<NoticeHandler>(topic, group);
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(await server.Http.GetAsync($"/api/v1/dead-letters/{dlq}")).IsSuccessStatusCode
                   || (await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}")).GetArrayLength() < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the consumer never dead-lettered the two records");
                await Task.Delay(100);
            }

            await host.StopAsync();
        }

        var topics = await server.GetJsonAsync("/api/v1/dead-letters");
        var mine = Assert.Single(topics.EnumerateArray(), t => t.GetProperty("topic").GetString() == dlq);
        Assert.Equal(2, mine.GetProperty("unresolved").GetInt32());
        Assert.Equal(group, mine.GetProperty("group").GetString());

        var letters = (await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}?error=InvalidEventException")).EnumerateArray().ToList();
        Assert.Equal(2, letters.Count);
        Assert.Equal(topic, letters[0].GetProperty("originalTopic").GetString());
        var shown = await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}/{letters[0].GetProperty("partition").GetInt32()}/{letters[0].GetProperty("offset").GetInt64()}");
        Assert.Equal("an event", shown.GetProperty("record").GetProperty("value").GetProperty("not").GetString());
        await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}/0/999", HttpStatusCode.NotFound);

        var dryRun = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/dead-letters/{dlq}/redrive", new { limit = 1, dryRun = true });
        Assert.Single(dryRun.GetProperty("letters").EnumerateArray());
        Assert.Equal(2, (await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}")).GetArrayLength());

        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/dead-letters/{dlq}/redrive", new { limit = 1 });
        Assert.Equal(1, (await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}")).GetArrayLength());
        Assert.Equal(3, (await server.GetJsonAsync($"/api/v1/topics/{topic}")).GetProperty("partitions")[0].GetProperty("endOffset").GetInt64());

        var purged = await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/dead-letters/{dlq}/purge", new { });
        Assert.Single(purged.GetProperty("letters").EnumerateArray());
        Assert.Equal(0, (await server.GetJsonAsync($"/api/v1/dead-letters/{dlq}")).GetArrayLength());

        await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/dead-letters/{ServerUnderTest.NewTopic("none")}.dlq/purge", new { }, HttpStatusCode.NotFound);
    }

    [EventType("Noticed")]
    public sealed record Noticed(string Id);

    public sealed class NoticeHandler : IEventHandler<Noticed>
    {
        public Task HandleAsync(Noticed @event, EventContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
