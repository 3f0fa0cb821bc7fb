using System.ComponentModel;
using Herald.Broker;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary><c>/api/v1/topics</c>: list, create, describe, alter settings, add partitions, delete.</summary>
internal static class TopicsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var topics = api.MapGroup("/topics").WithTags("Topics");
        topics.MapGet("", List).WithSummary("Lists topics by name, a page at a time, with sizes and message rates.");
        topics.MapPost("", Create).WithSummary("Creates a topic.").ProducesProblem(400).ProducesProblem(409);
        topics.MapGet("/{topic}", Describe).WithSummary("Describes a topic: partitions with offsets and sizes, and settings.").ProducesProblem(404);
        topics.MapPatch("/{topic}/configs", AlterConfigs).WithSummary("Sets or removes (null) topic setting overrides, by Kafka name.").ProducesProblem(400).ProducesProblem(404);
        topics.MapPost("/{topic}/partitions", AddPartitions).WithSummary("Raises a topic's partition count.").ProducesProblem(400).ProducesProblem(404);
        topics.MapDelete("/{topic}", Delete).WithSummary("Deletes a topic and its data.").ProducesProblem(404);
    }

    private static Ok<Page<TopicSummaryJson>> List(BrokerService broker, TopicRates rates, [Description("The next cursor of the page before.")] string? cursor = null, [Description("Topics per page, 1 to 1000; 100 when left out.")] int? limit = null, [Description("Only topics whose name starts with this.")] string? prefix = null)
    {
        var size = PageLimit.Of(limit, 100);
        var after = cursor is null ? null : Cursor.DecodeName(cursor);
        var names = broker.Broker.ListTopics()
            .Select(t => t.Name)
            .Where(name => (prefix is null || name.StartsWith(prefix, StringComparison.Ordinal)) && (after is null || string.CompareOrdinal(name, after) > 0))
            .Order(StringComparer.Ordinal)
            .Take(size + 1)
            .ToList();
        var items = names.Take(size).Select(name => Summary(broker.Broker, rates, name)).OfType<TopicSummaryJson>().ToList();
        return TypedResults.Ok(new Page<TopicSummaryJson>(items, names.Count > size ? Cursor.EncodeName(names[size - 1]) : null));
    }

    private static Created<TopicJson> Create(BrokerService broker, TopicRates rates, CreateTopicJson topic)
    {
        if (string.IsNullOrEmpty(topic.Name))
        {
            throw ApiException.BadRequest("A topic needs a name.");
        }

        var result = broker.Broker.CreateTopic(topic.Name, topic.Partitions, topic.Configs);
        ApiException.ThrowIfFailed(result);

        return TypedResults.Created($"/api/v1/topics/{Uri.EscapeDataString(topic.Name)}", Detail(broker.Broker, rates, topic.Name));
    }

    private static Ok<TopicJson> Describe(BrokerService broker, TopicRates rates, string topic) => TypedResults.Ok(Detail(broker.Broker, rates, topic));

    private static Ok<TopicJson> AlterConfigs(BrokerService broker, TopicRates rates, string topic, Dictionary<string, string?> changes)
    {
        var result = broker.Broker.AlterTopicConfig(topic, changes);
        ApiException.ThrowIfFailed(result);

        return TypedResults.Ok(Detail(broker.Broker, rates, topic));
    }

    private static Ok<TopicJson> AddPartitions(BrokerService broker, TopicRates rates, string topic, PartitionCountJson partitions)
    {
        var result = broker.Broker.CreatePartitions(topic, partitions.Count);
        ApiException.ThrowIfFailed(result);

        return TypedResults.Ok(Detail(broker.Broker, rates, topic));
    }

    private static NoContent Delete(BrokerService broker, string topic)
    {
        var result = broker.Broker.DeleteTopic(topic);
        ApiException.ThrowIfFailed(result);

        return TypedResults.NoContent();
    }

    private static TopicSummaryJson? Summary(HeraldBroker broker, TopicRates rates, string name)
    {
        if (broker.DescribePartitions(name) is not { } partitions)
        {
            return null; // deleted while the page was built
        }

        var rate = rates.For(name);
        return new TopicSummaryJson(name, partitions.Count, partitions.Sum(p => p.Records), partitions.Sum(p => p.SizeBytes), rate.RecordsPerSecond, rate.BytesPerSecond);
    }

    private static TopicJson Detail(HeraldBroker broker, TopicRates rates, string name)
    {
        var description = broker.DescribeTopic(name) ?? throw ApiException.UnknownTopic(name);
        var partitions = broker.DescribePartitions(name) ?? throw ApiException.UnknownTopic(name);
        var config = description.Config;
        var rate = rates.For(name);
        return new TopicJson(
            name,
            description.Id,
            [.. partitions.Select(p => new PartitionJson(p.Partition, p.StartOffset, p.EndOffset, p.Records, p.SizeBytes))],
            [.. config.Effective.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => new ConfigJson(c.Key, c.Value, config.OriginOf(c.Key).ToString().ToLowerInvariant()))],
            rate.RecordsPerSecond,
            rate.BytesPerSecond);
    }
}
