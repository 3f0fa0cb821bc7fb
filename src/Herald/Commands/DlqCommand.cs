using System.CommandLine;
using System.Globalization;
using System.Text;
using Herald.Client;
using Herald.Client.Transport;
using Herald.Client.Transport.Embedded;
using Herald.Client.Transport.Kafka;

namespace Herald.Cli.Commands;

/// <summary><c>herald dlq</c>: list, show, redrive and purge a consumer group's dead letters.</summary>
internal static class DlqCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var topic = new Option<string>("--topic") { Description = "The topic the group consumes.", Required = true };
        var group = new Option<string>("--group") { Description = "The consumer group whose dead letters these are.", Required = true };
        var dlqTopic = new Option<string?>("--dlq-topic") { Description = "The dead-letter topic, when the consumer configured its own (default: TOPIC.GROUP.dlq)." };
        var type = new Option<string?>("--type") { Description = "Only events of this type (OrderPlaced, or OrderPlaced.v2)." };
        var error = new Option<string?>("--error") { Description = "Only failures with this exception type (TimeoutException, or its full name)." };
        var since = CliOptions.Time("--since", "Only those that last failed at or after this ISO 8601 time.");
        var until = CliOptions.Time("--until", "Only those that last failed before this ISO 8601 time.");
        var limit = CliOptions.Int("--limit", "At most this many, oldest first.", min: 1);
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would happen and change nothing." };
        var toTopic = new Option<string?>("--to-topic") { Description = "Redrive to this topic instead of each letter's original topic." };
        var reference = new Argument<string>("letter") { Description = "PARTITION:OFFSET in the dead-letter topic, as list shows it." };

        var dlq = new Command("dlq", "List, show, redrive and purge a consumer group's dead letters.");
        var list = WithFilters(new Command("list", "List the dead letters not yet redriven or purged."));
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var transport = await OpenAsync(context, cancellationToken);
            var letters = await new DeadLetterQueue(transport).ListAsync(DeadLetterTopic(parse), Filter(parse), cancellationToken);
            await WriteAsync(context, letters, null);
            return ExitCodes.Success;
        });

        var show = new Command("show", "Show one dead letter: its failure, headers and body.") { topic, group, dlqTopic, reference };
        show.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var (partition, offset) = ParseReference(parse.GetValue(reference)!);
            await using var transport = await OpenAsync(context, cancellationToken);
            var letter = await new DeadLetterQueue(transport).ShowAsync(DeadLetterTopic(parse), partition, offset, cancellationToken)
                ?? throw new CliException($"No unresolved dead letter at {partition}:{offset} in {DeadLetterTopic(parse)}.");
            if (context.Json)
            {
                context.WriteJson(Json(letter, withRecord: true), CliJson.Default.DeadLetterJson);
                return ExitCodes.Success;
            }

            await context.Output.WriteLineAsync($"{letter.Reference}  {letter.EventType ?? "(not an event)"}  id {letter.EventId ?? "-"}  key {letter.Key ?? "-"}");
            await context.Output.WriteLineAsync($"from {letter.OriginalTopic}-{letter.OriginalPartition}@{letter.OriginalOffset}, group {letter.Group}, {letter.Attempts} attempt(s), first failed {letter.FirstFailure:O}, last {letter.LastFailure:O}");
            await context.Output.WriteLineAsync($"{letter.ExceptionType}: {letter.ExceptionMessage}");
            await context.Output.WriteLineAsync(letter.ExceptionStack);
            foreach (var (name, value) in letter.Record.Headers)
            {
                await context.Output.WriteLineAsync($"  {name}: {Encoding.UTF8.GetString(value)}");
            }

            await context.Output.WriteLineAsync(Encoding.UTF8.GetString(letter.Record.Value.Span));
            return ExitCodes.Success;
        });

        var redrive = WithFilters(new Command("redrive", "Publish dead letters again, with their ids, to their original topic (or --to-topic).") { toTopic, dryRun });
        redrive.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var transport = await OpenAsync(context, cancellationToken);
            var result = await new DeadLetterQueue(transport).RedriveAsync(DeadLetterTopic(parse), Filter(parse), parse.GetValue(toTopic), parse.GetValue(dryRun), cancellationToken);
            await WriteAsync(context, result.Letters, result.DryRun ? "would redrive" : "redrove");
            return ExitCodes.Success;
        });

        var purge = WithFilters(new Command("purge", "Mark dead letters resolved without publishing them.") { dryRun });
        purge.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var transport = await OpenAsync(context, cancellationToken);
            var result = await new DeadLetterQueue(transport).PurgeAsync(DeadLetterTopic(parse), Filter(parse), parse.GetValue(dryRun), cancellationToken);
            await WriteAsync(context, result.Letters, result.DryRun ? "would purge" : "purged");
            return ExitCodes.Success;
        });

        dlq.Subcommands.Add(list);
        dlq.Subcommands.Add(show);
        dlq.Subcommands.Add(redrive);
        dlq.Subcommands.Add(purge);
        return dlq;

        Command WithFilters(Command command)
        {
            foreach (var option in new Option[] { topic, group, dlqTopic, type, error, since, until, limit })
            {
                command.Options.Add(option);
            }

            return command;
        }

        string DeadLetterTopic(ParseResult parse) => parse.GetValue(dlqTopic) ?? DeadLetterQueue.TopicFor(parse.GetValue(topic)!, parse.GetValue(group)!);

        DeadLetterFilter Filter(ParseResult parse) => new()
            {
                EventType = parse.GetValue(type),
                ErrorType = parse.GetValue(error),
                Since = parse.GetValue(since),
                Until = parse.GetValue(until),
                Limit = parse.GetValue(limit),
            };
    }

    /// <summary>The broker on --data in this process, or the server named by --server through Confluent.Kafka.</summary>
    private static async Task<IEventTransport> OpenAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (context.RemoteServer is { } server)
        {
            HostPort.Parse(server.BootstrapServers, "--server");
            return new KafkaTransport(server.BootstrapServers, configureConnection: connection => server.Configure(connection));
        }

        return new EmbeddedTransport(await context.StartBrokerAsync(cancellationToken), ownsBroker: true);
    }

    private static (int Partition, long Offset) ParseReference(string text)
    {
        var parts = text.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? (partition, offset)
            : throw CliException.Usage($"'{text}' is not PARTITION:OFFSET (for example 0:42).");
    }

    private static async Task WriteAsync(CliContext context, IReadOnlyList<DeadLetter> letters, string? verb)
    {
        if (context.Json)
        {
            context.WriteJson([.. letters.Select(l => Json(l, withRecord: false))], CliJson.Default.DeadLetterJsonArray);
            return;
        }

        if (verb is not null)
        {
            await context.Output.WriteLineAsync($"{verb} {letters.Count} dead letter(s)");
        }

        await context.Output.WriteLineAsync("LETTER\tTYPE\tKEY\tERROR\tATTEMPTS\tLAST FAILURE\tFROM");
        foreach (var l in letters)
        {
            await context.Output.WriteLineAsync($"{l.Reference}\t{l.EventType ?? "-"}\t{l.Key ?? "-"}\t{l.ExceptionType}: {l.ExceptionMessage}\t{l.Attempts}\t{l.LastFailure:O}\t{l.OriginalTopic}-{l.OriginalPartition}@{l.OriginalOffset}");
        }
    }

    private static DeadLetterJson Json(DeadLetter l, bool withRecord) => new(
        l.Reference,
        l.EventId,
        l.EventType,
        l.Key,
        l.ExceptionType,
        l.ExceptionMessage,
        withRecord ? l.ExceptionStack : null,
        l.Attempts,
        l.OriginalTopic,
        l.OriginalPartition,
        l.OriginalOffset,
        l.Group,
        l.FirstFailure,
        l.LastFailure,
        withRecord ? l.Record.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.Value)) : null,
        withRecord ? Encoding.UTF8.GetString(l.Record.Value.Span) : null);
}
