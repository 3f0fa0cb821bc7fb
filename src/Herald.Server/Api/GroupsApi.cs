using System.ComponentModel;
using Herald.Broker;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary><c>/api/v1/groups</c>: list and describe consumer groups with their lag, reset their offsets, delete them.</summary>
internal static class GroupsApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/groups").WithTags("Consumer groups");
        groups.MapGet("", List).WithSummary("Lists consumer groups by id, a page at a time, with state, member count and total lag.");
        groups.MapGet("/{group}", Describe).WithSummary("Describes a group: members and their assignments, lag per partition.").ProducesProblem(404);
        groups.MapPost("/{group}/offsets/reset", Reset).WithSummary("Moves a group's committed offsets on a topic (earliest, latest, a time or an offset); dryRun shows the change without making it.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        groups.MapDelete("/{group}", Delete).WithSummary("Deletes a group's committed offsets; refused while it has members.").ProducesProblem(404).ProducesProblem(409);
    }

    private static Ok<Page<GroupSummaryJson>> List(BrokerService broker, [Description("The next cursor of the page before.")] string? cursor = null, [Description("Groups per page, 1 to 1000; 100 when left out.")] int? limit = null)
    {
        var size = PageLimit.Of(limit, 100);
        var after = cursor is null ? null : Cursor.DecodeName(cursor);
        var ids = broker.Broker.ListGroups().Where(id => after is null || string.CompareOrdinal(id, after) > 0).Order(StringComparer.Ordinal).Take(size + 1).ToList();
        var items = ids.Take(size)
            .Select(id => broker.Broker.DescribeGroup(id))
            .OfType<GroupDescription>()
            .Select(g => new GroupSummaryJson(g.GroupId, g.State, g.Members.Count, g.Lag.Sum(l => l.Lag)))
            .ToList();
        return TypedResults.Ok(new Page<GroupSummaryJson>(items, ids.Count > size ? Cursor.EncodeName(ids[size - 1]) : null));
    }

    private static Ok<GroupJson> Describe(BrokerService broker, string group)
    {
        var g = broker.Broker.DescribeGroup(group) ?? throw ApiException.NotFound($"Group '{group}' has no members and no committed offsets.", ErrorCode.GroupIdNotFound);
        var members = g.Members.Select(m => new MemberJson(
            m.MemberId,
            m.GroupInstanceId,
            m.ClientId,
            m.ClientHost,
            [.. (ConsumerProtocol.ReadAssignment(m.Assignment) ?? []).GroupBy(p => p.Topic).Select(t => new TopicPartitionsJson(t.Key, [.. t.Select(p => p.Partition).Order()]))]));
        var lag = g.Lag.Select(l => new PartitionLagJson(l.Partition.Topic, l.Partition.Partition, l.Committed, l.HighWatermark, l.Lag));
        return TypedResults.Ok(new GroupJson(g.GroupId, g.State, g.ProtocolType, g.Protocol, [.. members], [.. lag], g.Lag.Sum(l => l.Lag)));
    }

    private static Ok<ResetResultJson> Reset(BrokerService broker, string group, ResetOffsetsJson reset)
    {
        if (string.IsNullOrEmpty(reset.Topic))
        {
            throw ApiException.BadRequest("A reset names its topic.");
        }

        var b = broker.Broker;
        var partitions = b.DescribePartitions(reset.Topic) ?? throw ApiException.UnknownTopic(reset.Topic);
        if (b.DescribeGroup(group) is { Members.Count: > 0 } active)
        {
            throw ApiException.From(ErrorCode.NonEmptyGroup, $"Group '{group}' has {active.Members.Count} active members; stop its consumers before resetting its offsets.");
        }

        var chosen = reset.Partitions?.Distinct().ToList() ?? [.. partitions.Select(p => p.Partition)];
        if (chosen.FirstOrDefault(p => p < 0 || p >= partitions.Count, -1) is var missing and >= 0)
        {
            throw ApiException.UnknownPartition(reset.Topic, missing, partitions.Count);
        }

        var committed = b.FetchOffsets(group, [.. chosen.Select(p => new TopicPartition(reset.Topic, p))]).ToDictionary(c => c.Partition.Partition, c => c.Offset);
        var changes = chosen.Select(p => new OffsetChangeJson(reset.Topic, p, committed.GetValueOrDefault(p, -1), Target(b, reset, partitions[p]))).ToList();
        if (!reset.DryRun)
        {
            var result = b.CommitOffsets(group, [.. changes.Select(c => new CommittedOffset(new TopicPartition(c.Topic, c.Partition), c.To))]);
            ApiException.ThrowIfFailed(result);
        }

        return TypedResults.Ok(new ResetResultJson(reset.DryRun, changes));
    }

    private static long Target(HeraldBroker broker, ResetOffsetsJson reset, PartitionDescription partition) => reset.To switch
    {
        "earliest" => partition.StartOffset,
        "latest" => partition.EndOffset,
        "offset" => Positions.Within(partition, reset.Offset ?? throw ApiException.BadRequest("to: offset needs an offset.")),
        // Nothing at or after that time: the end, as Kafka's tool does.
        "timestamp" => Positions.AtOrAfter(broker, reset.Topic, partition, reset.Timestamp ?? throw ApiException.BadRequest("to: timestamp needs a timestamp.")),
        _ => throw ApiException.BadRequest($"to must be earliest, latest, timestamp or offset; it is '{reset.To}'."),
    };

    private static NoContent Delete(BrokerService broker, string group)
    {
        var result = broker.Broker.DeleteGroup(group);
        ApiException.ThrowIfFailed(result);

        return TypedResults.NoContent();
    }
}
