using System.CommandLine;
using System.Text;
using System.Text.Json;
using Herald.Cli.Access;
using Herald.EventSourcing;

namespace Herald.Cli.Commands;

/// <summary><c>herald streams</c>: list, read and append to the event store's streams, embedded or on PostgreSQL.</summary>
internal static class StreamsCommand
{
    private const string All = "$all";

    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var streams = new Command("streams", "List, read and append to event store streams (--store DIR, or --postgres CONNECTION).");
        EventStoreAccess.AddTo(streams);
        var streamId = new Argument<string>("stream") { Description = "The stream's id, such as order-42; for read, $all is every stream in global order." };

        var prefix = new Option<string>("--prefix") { Description = "Only streams whose ids start with this.", DefaultValueFactory = _ => "" };
        var list = new Command("list", "List the streams that have events.") { prefix };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            await using var store = await EventStoreAccess.OpenAsync(parse, cancellationToken);
            var names = new List<string>();
            await foreach (var name in store.ListStreamsAsync(parse.GetValue(prefix)!, cancellationToken))
            {
                if (context.Json)
                {
                    names.Add(name);
                }
                else
                {
                    await context.Output.WriteLineAsync(name);
                }
            }

            if (context.Json)
            {
                context.WriteJson([.. names], CliJson.Default.StringArray);
            }

            return ExitCodes.Success;
        });

        var from = CliOptions.Long("--from", "Start at this version (for $all: this position). Defaults to the first; with --backwards, the last.", min: 0);
        var backwards = new Option<bool>("--backwards") { Description = "Read from the end towards the start (not for $all)." };
        var count = CliOptions.Long("--count", "Read at most this many events. Defaults to 1000.", min: 1);
        var type = new Option<string[]>("--type") { Description = "For $all: only events of this type (with or without .vN). Repeatable." };
        var read = new Command("read", "Print a stream's events, or $all's.") { streamId, from, backwards, count, type };
        read.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var id = parse.GetValue(streamId)!;
            var max = parse.GetValue(count) ?? 1000;
            await using var store = await EventStoreAccess.OpenAsync(parse, cancellationToken);
            IAsyncEnumerable<RecordedEvent> events;
            if (id == All)
            {
                if (parse.GetValue(backwards))
                {
                    throw CliException.Usage("$all is read forwards only.");
                }

                var types = parse.GetValue(type) ?? [];
                events = store.ReadAllAsync(parse.GetValue(from) ?? 0, types.Length > 0 ? EventFilter.ForTypes(types) : null, cancellationToken);
            }
            else
            {
                events = store.ReadStreamAsync(id, parse.GetValue(backwards) ? Direction.Backwards : Direction.Forwards, parse.GetValue(from), max, cancellationToken);
            }

            // Written as they are read, so a long stream needs no more memory than one event.
            if (context.Json)
            {
                await context.Output.WriteAsync('[');
            }

            var printed = 0L;
            await foreach (var e in events)
            {
                if (printed == max)
                {
                    break;
                }

                if (context.Json)
                {
                    await context.Output.WriteAsync((printed == 0 ? "" : ",") + JsonSerializer.Serialize(ToJson(e), CliJson.Default.EventJson));
                }
                else
                {
                    await context.Output.WriteLineAsync($"{e.StreamId}@{e.Version}\tposition {e.Position}\t{e.Type}\t{e.Timestamp:O}\t{Encoding.UTF8.GetString(e.Data.Span)}");
                }

                printed++;
            }

            if (context.Json)
            {
                await context.Output.WriteLineAsync(']');
            }

            return ExitCodes.Success;
        });

        var eventType = new Option<string>("--type") { Description = "The event's type name with version, such as OrderPlaced.v1.", Required = true };
        var data = new Option<string>("--body") { Description = "The event's JSON body.", Required = true };
        var expected = new Option<string>("--expected-version") { Description = "any (default), no-stream, exists, or the version the stream must be at.", DefaultValueFactory = _ => "any" };
        var eventId = new Option<Guid?>("--id") { Description = "The event's id, to append idempotently; a new UUIDv7 by default." };
        var correlation = new Option<string?>("--correlation-id") { Description = "The event's correlation id." };
        var append = new Command("append", "Append one event to a stream.") { streamId, eventType, data, expected, eventId, correlation };
        append.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var id = parse.GetValue(streamId)!;
            var body = Encoding.UTF8.GetBytes(parse.GetValue(data)!);
            try
            {
                using var _ = JsonDocument.Parse(body);
            }
            catch (JsonException exception)
            {
                throw CliException.Usage($"--body is not JSON: {exception.Message}");
            }

            var stored = new EventData(parse.GetValue(eventId) ?? Guid.CreateVersion7(), parse.GetValue(eventType)!, body) { CorrelationId = parse.GetValue(correlation) };
            await using var store = await EventStoreAccess.OpenAsync(parse, cancellationToken, create: true);
            AppendResult result;
            try
            {
                result = await store.AppendAsync(id, ParseExpected(parse.GetValue(expected)!), [stored], cancellationToken);
            }
            catch (ArgumentException exception)
            {
                throw CliException.Usage(exception.Message);
            }

            if (context.Json)
            {
                context.WriteJson(new AppendJson(id, result.NextExpectedVersion, result.Position, stored.EventId), CliJson.Default.AppendJson);
            }
            else
            {
                await context.Output.WriteLineAsync($"Appended {stored.Type} to {id} at version {result.NextExpectedVersion}, position {result.Position} (event id {stored.EventId}).");
            }

            return ExitCodes.Success;
        });

        streams.Subcommands.Add(list);
        streams.Subcommands.Add(read);
        streams.Subcommands.Add(append);
        return streams;
    }

    private static ExpectedVersion ParseExpected(string text) => text switch
    {
        "any" => ExpectedVersion.Any,
        "no-stream" => ExpectedVersion.NoStream,
        "exists" => ExpectedVersion.StreamExists,
        _ when long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) => ExpectedVersion.Exactly(version),
        _ => throw CliException.Usage($"--expected-version takes any, no-stream, exists or a version number; got '{text}'."),
    };

    private static EventJson ToJson(RecordedEvent e)
    {
        JsonElement? json = null;
        string? text = null;
        try
        {
            using var document = JsonDocument.Parse(e.Data);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            text = Convert.ToBase64String(e.Data.Span);
        }

        return new EventJson(e.StreamId, e.Version, e.Position, e.EventId, e.Type, e.Timestamp, json, text, e.CorrelationId, e.CausationId, e.TraceParent);
    }
}
