using System.CommandLine;
using Herald.Broker;

namespace Herald.Cli.Bench;

/// <summary><c>herald bench produce|consume|e2e</c>: Herald's load tool, against a server or an embedded broker.</summary>
internal static class BenchCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var bench = new Command("bench", "Measure throughput and latency: against a server (--bootstrap) or an embedded broker on --data (--embedded).");
        bench.Subcommands.Add(Mode(BenchMode.Produce, "produce", "Producers send as fast as acknowledged (or at --rate): throughput and acknowledgement latency.", contextFor));
        bench.Subcommands.Add(Mode(BenchMode.Consume, "consume", "Fill a topic, then read it from the beginning: catch-up throughput.", contextFor));
        bench.Subcommands.Add(Mode(BenchMode.E2E, "e2e", "Read while producing: latency from send to receipt (the send time travels in the payload).", contextFor));
        return bench;
    }

    private static Command Mode(BenchMode mode, string name, string description, Func<ParseResult, CliContext> contextFor)
    {
        var bootstrap = new Option<string?>("--bootstrap") { Description = "HOST:PORT of a Kafka-protocol server, reached through Confluent.Kafka." };
        var http = new Option<string?>("--http") { Description = "The base URL of a server's HTTP API (http://HOST:PORT): produce through POST /api/v1/topics/{topic}/records, one keep-alive connection per producer." };
        var httpBatch = CliOptions.Int("--http-batch", "Records per HTTP request (with --http).", min: 1, defaultValue: 100);
        var embedded = new Option<bool>("--embedded") { Description = "Run an embedded broker on --data in this process and use its API directly." };
        var messages = CliOptions.Long("--messages", $"How many messages (default {BenchSettings.DefaultMessages:N0}, unless --seconds is given).", min: 1);
        var seconds = CliOptions.Positive("--seconds", "How long to send for (with --rate: how long at that rate).");
        var size = CliOptions.Int("--size", "Message size in bytes (at least 8: the send time travels in the first 8).", min: 8, defaultValue: 100);
        var partitions = CliOptions.Int("--partitions", "Partitions of the bench topic.", min: 1, defaultValue: 1);
        var producers = CliOptions.Int("--producers", "Concurrent producers.", min: 1, defaultValue: 1);
        var acks = new Option<string>("--acks") { Description = "all, 1 or 0.", DefaultValueFactory = _ => "all" };
        acks.AcceptOnlyFromAmong("all", "-1", "1", "0");
        var idempotent = new Option<bool>("--idempotent") { Description = "Idempotent producers (a producer id and sequence numbers)." };
        var linger = CliOptions.Int("--linger-ms", "How long a batch waits for more messages.", min: 0, defaultValue: 5);
        var batchBytes = CliOptions.Int("--batch-bytes", "The most bytes in one batch (librdkafka's default, under the topic's max.message.bytes).", min: 1, defaultValue: 1_000_000);
        var compression = new Option<string>("--compression") { Description = "none, gzip, snappy, lz4 or zstd.", DefaultValueFactory = _ => "none" };
        compression.AcceptOnlyFromAmong("none", "gzip", "snappy", "lz4", "zstd");
        var rate = CliOptions.Positive("--rate", "A fixed total rate in messages per second, for latency runs.");

        var command = new Command(name, description) { bootstrap, http, httpBatch, embedded, messages, seconds, size, partitions, producers, acks, idempotent, linger, batchBytes, compression, rate };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var server = parse.GetValue(bootstrap);
            var httpUrl = parse.GetValue(http);
            if (new[] { server is not null, httpUrl is not null, parse.GetValue(embedded) }.Count(given => given) != 1)
            {
                throw CliException.Usage("Give one of --bootstrap HOST:PORT, --http URL or --embedded.");
            }

            Uri? httpAddress = null;
            if (httpUrl is not null && (!Uri.TryCreate(httpUrl, UriKind.Absolute, out httpAddress) || httpAddress.Scheme is not ("http" or "https")))
            {
                throw CliException.Usage($"--http takes a URL such as http://127.0.0.1:8080; got '{httpUrl}'.");
            }

            if (httpUrl is not null && mode != BenchMode.Produce)
            {
                throw CliException.Usage("Over --http only produce is measured; consume and e2e take --bootstrap or --embedded.");
            }

            var settings = new BenchSettings
            {
                Mode = mode,
                Bootstrap = server,
                Messages = parse.GetValue(messages),
                Seconds = parse.GetValue(seconds),
                Size = parse.GetValue(size),
                Partitions = parse.GetValue(partitions),
                Producers = parse.GetValue(producers),
                Acks = parse.GetValue(acks) switch { "0" => Acks.None, "1" => Acks.Leader, _ => Acks.All },
                Idempotent = parse.GetValue(idempotent),
                LingerMs = parse.GetValue(linger),
                BatchBytes = parse.GetValue(batchBytes),
                Compression = Enum.Parse<Storage.CompressionType>(parse.GetValue(compression)!, ignoreCase: true),
                Rate = parse.GetValue(rate),
                HttpBatchRecords = parse.GetValue(httpBatch),
            };
            Check(settings);

            var properties = parse.GetValue(GlobalOptions.ClientConfig) is { } path ? Access.RemoteServer.ReadProperties(path) : new Dictionary<string, string>();
            await using var target = server is not null ? new KafkaBenchTarget(new Access.RemoteServer(server, properties))
                : httpAddress is not null ? new HttpBenchTarget(httpAddress)
                : (IBenchTarget)new EmbeddedBenchTarget(await context.StartBrokerAsync(cancellationToken));
            var runner = new BenchRunner(target, server ?? httpUrl ?? "embedded", settings, context.ShowsProgress ? context.Error : null);
            var report = await runner.RunAsync(cancellationToken);
            if (context.Json)
            {
                context.WriteJson(report, CliJson.Default.BenchReport);
            }
            else
            {
                await context.Output.WriteLineAsync(report.ToText());
            }

            return report.Failed > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    // Single values are checked as they are parsed; these are the rules between them.
    private static void Check(BenchSettings settings)
    {
        if (settings.BatchBytes < settings.Size)
        {
            throw CliException.Usage("--batch-bytes must hold at least one message.");
        }

        if (settings.Mode == BenchMode.Consume && settings.Rate is not null)
        {
            throw CliException.Usage("consume reads a filled topic as fast as it can; --rate does not apply.");
        }
    }
}
