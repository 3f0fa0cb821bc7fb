using System.CommandLine;
using Herald.Broker;

namespace Herald.Cli.Commands;

/// <summary><c>herald groups</c>: list consumer groups, show their offsets and lag, reset or delete their offsets.</summary>
internal static class GroupsCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var groups = new Command("groups", "List consumer groups, show their lag, reset or delete their offsets.");
        var groupId = new Argument<string>("group") { Description = "The consumer group id." };

        var list = new Command("list", "List the consumer groups.");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var all = await broker.ListGroupsAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson([.. all], CliJson.Default.StringArray);
            }
            else
            {
                foreach (var group in all)
                {
                    await context.Output.WriteLineAsync(group);
                }
            }

            return ExitCodes.Success;
        });

        var describe = new Command("describe", "Show a group's committed offsets and lag per partition.") { groupId };
        describe.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var id = parse.GetValue(groupId)!;
            var group = await broker.DescribeGroupAsync(id, cancellationToken) ?? throw new CliException($"Group '{id}' does not exist.");
            if (context.Json)
            {
                var lag = group.Lag.Select(l => new LagJson(l.Partition.Topic, l.Partition.Partition, l.Committed, l.HighWatermark, l.Lag)).ToArray();
                context.WriteJson(new GroupJson(group.GroupId, group.State, lag, lag.Sum(l => l.Lag)), CliJson.Default.GroupJson);
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync($"Group {group.GroupId} ({group.State}, {group.Members.Count} members), total lag {group.Lag.Sum(l => l.Lag)}");
            foreach (var member in group.Members)
            {
                var owned = group.ProtocolType == "consumer" && ConsumerProtocol.ReadAssignment(member.Assignment) is { } assigned
                    ? string.Join(", ", assigned)
                    : $"{member.Assignment.Length} bytes of assignment";
                await context.Output.WriteLineAsync($"  member {member.MemberId} ({member.ClientId}@{member.ClientHost}): {owned}");
            }

            await context.Output.WriteLineAsync("TOPIC\tPARTITION\tCOMMITTED\tEND\tLAG");
            foreach (var partition in group.Lag)
            {
                await context.Output.WriteLineAsync($"{partition.Partition.Topic}\t{partition.Partition.Partition}\t{partition.Committed}\t{partition.HighWatermark}\t{partition.Lag}");
            }

            return ExitCodes.Success;
        });

        var topic = new Option<string>("--topic") { Description = "The topic whose offsets to reset.", Required = true };
        var to = new Option<string>("--to") { Description = "earliest, latest, an offset, or an ISO 8601 time.", Required = true };
        OffsetSpec.Validate(to);
        var reset = new Command("reset-offsets", "Move a group's committed offsets on every partition of a topic.") { groupId, topic, to };
        reset.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var id = parse.GetValue(groupId)!;
            var name = parse.GetValue(topic)!;
            var description = await broker.DescribeTopicAsync(name, cancellationToken) ?? throw new CliException($"Topic '{name}' does not exist.");
            if (await broker.DescribeGroupAsync(id, cancellationToken) is { Members.Count: > 0 } active)
            {
                throw new CliException($"Group '{id}' has {active.Members.Count} active members; stop its consumers before resetting its offsets.");
            }

            var offsets = new List<CommittedOffset>();
            for (var p = 0; p < description.Partitions; p++)
            {
                offsets.Add(new CommittedOffset(new TopicPartition(name, p), await OffsetSpec.ResolveAsync(broker, name, p, parse.GetValue(to)!, "--to", cancellationToken)));
            }

            (await broker.CommitOffsetsAsync(id, offsets, cancellationToken)).ThrowIfFailed();

            if (context.Json)
            {
                context.WriteJson([.. offsets.Select(o => new LagJson(o.Partition.Topic, o.Partition.Partition, o.Offset, -1, -1))], CliJson.Default.LagJsonArray);
                return ExitCodes.Success;
            }

            foreach (var offset in offsets)
            {
                await context.Output.WriteLineAsync($"{offset.Partition}: {offset.Offset}");
            }

            return ExitCodes.Success;
        });

        var delete = new Command("delete", "Delete a group's committed offsets.") { groupId };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            (await broker.DeleteGroupAsync(parse.GetValue(groupId)!, cancellationToken)).ThrowIfFailed();

            await context.Output.WriteLineAsync($"Deleted group '{parse.GetValue(groupId)}'.");
            return ExitCodes.Success;
        });

        groups.Subcommands.Add(list);
        groups.Subcommands.Add(describe);
        groups.Subcommands.Add(reset);
        groups.Subcommands.Add(delete);
        return groups;
    }
}
