using System.CommandLine;
using Herald.Broker;

namespace Herald.Cli.Commands;

/// <summary><c>herald topics</c>: create, list, describe, alter and delete topics.</summary>
internal static class TopicsCommand
{
    private static readonly Argument<string> Name = new("name") { Description = "The topic name." };

    private static readonly Option<string[]> Config = new("--config")
    {
        Description = "A topic setting as key=value (Kafka names: retention.ms, retention.bytes, segment.bytes, segment.ms, max.message.bytes, cleanup.policy, min.insync.replicas). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var topics = new Command("topics", "Create, list, describe, alter and delete topics.");

        var partitions = CliOptions.Int("--partitions", "The number of partitions. Defaults to 1.", min: 1);
        var create = new Command("create", "Create a topic.") { Name, partitions, Config };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            (await broker.CreateTopicAsync(parse.GetValue(Name)!, parse.GetValue(partitions), ParseConfigs(parse.GetValue(Config)), cancellationToken)).ThrowIfFailed();
            await context.Output.WriteLineAsync($"Created topic '{parse.GetValue(Name)}'.");
            return ExitCodes.Success;
        });

        var list = new Command("list", "List the topics.");
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var all = await broker.ListTopicsAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson([.. all.Select(ToJson)], CliJson.Default.TopicJsonArray);
            }
            else
            {
                foreach (var topic in all)
                {
                    await context.Output.WriteLineAsync($"{topic.Name}\t{topic.Partitions} partitions");
                }
            }

            return ExitCodes.Success;
        });

        var describe = new Command("describe", "Show a topic's partitions, offsets and configuration.") { Name };
        describe.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var name = parse.GetValue(Name)!;
            var topic = await broker.DescribeTopicAsync(name, cancellationToken) ?? throw new CliException($"Topic '{name}' does not exist.");
            var partitionsJson = new PartitionJson[topic.Partitions];
            for (var p = 0; p < topic.Partitions; p++)
            {
                partitionsJson[p] = new PartitionJson(p, (await broker.ListOffsetAsync(name, p, OffsetQuery.Earliest, cancellationToken)).Offset, (await broker.ListOffsetAsync(name, p, OffsetQuery.Latest, cancellationToken)).Offset);
            }

            if (context.Json)
            {
                context.WriteJson(ToJson(topic) with { PartitionOffsets = partitionsJson }, CliJson.Default.TopicJson);
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync($"Topic {topic.Name} (id {topic.Id}), {topic.Partitions} partitions");
            foreach (var partition in partitionsJson)
            {
                await context.Output.WriteLineAsync($"  partition {partition.Partition}: offsets {partition.StartOffset}..{partition.EndOffset}");
            }

            foreach (var (key, value) in topic.Config.Effective.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                var source = topic.Config.OriginOf(key) switch { ConfigOrigin.Topic => "set", ConfigOrigin.Broker => "broker", _ => "default" };
                await context.Output.WriteLineAsync($"  {key}={value} ({source})");
            }

            return ExitCodes.Success;
        });

        var deleteConfig = new Option<string[]>("--delete-config") { Description = "A topic setting to return to its default. Repeatable." };
        var alter = new Command("alter", "Change a topic's configuration.") { Name, Config, deleteConfig };
        alter.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            var changes = ParseConfigs(parse.GetValue(Config)).Select(c => new KeyValuePair<string, string?>(c.Key, c.Value))
                .Concat((parse.GetValue(deleteConfig) ?? []).Select(name => new KeyValuePair<string, string?>(name, null)))
                .ToList();
            if (changes.Count == 0)
            {
                throw CliException.Usage("Nothing to change: give --config key=value or --delete-config key.");
            }

            (await broker.AlterTopicConfigAsync(parse.GetValue(Name)!, changes, cancellationToken)).ThrowIfFailed();
            await context.Output.WriteLineAsync($"Altered topic '{parse.GetValue(Name)}'.");
            return ExitCodes.Success;
        });

        var delete = new Command("delete", "Delete a topic and all its data.") { Name };
        delete.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var broker = await context.ConnectAsync(cancellationToken);
            (await broker.DeleteTopicAsync(parse.GetValue(Name)!, cancellationToken)).ThrowIfFailed();
            await context.Output.WriteLineAsync($"Deleted topic '{parse.GetValue(Name)}'.");
            return ExitCodes.Success;
        });

        topics.Subcommands.Add(create);
        topics.Subcommands.Add(list);
        topics.Subcommands.Add(describe);
        topics.Subcommands.Add(alter);
        topics.Subcommands.Add(delete);
        return topics;
    }

    private static Dictionary<string, string> ParseConfigs(string[]? pairs)
    {
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw CliException.Usage($"--config '{pair}' is not key=value.");
            }

            configs[pair[..equals]] = pair[(equals + 1)..];
        }

        return configs;
    }

    private static TopicJson ToJson(TopicDescription topic) =>
        new(topic.Name, topic.Id, topic.Partitions, new Dictionary<string, string>(topic.Config.Effective), null);
}
