using System.CommandLine;
using System.Net.Sockets;
using Herald.Broker;
using Herald.Kafka;
using Microsoft.Extensions.Logging;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald serve</c>: runs the broker on the data directory with its Kafka listener until SIGINT or SIGTERM, then
/// closes it cleanly.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var kafka = new Option<string>("--kafka")
        {
            Description = "Address for Kafka clients, HOST:PORT.",
            DefaultValueFactory = _ => $"127.0.0.1:{KafkaServerOptions.DefaultPort}",
        };
        var advertise = new Option<string?>("--advertise") { Description = "HOST:PORT clients are told to connect to (default: the --kafka address)." };
        var autoCreate = new Option<bool>("--auto-create-topics")
        {
            Description = "Create unknown topics on Metadata and Produce, as Kafka's auto.create.topics.enable.",
            DefaultValueFactory = _ => true,
        };
        var partitions = new Option<int>("--default-partitions")
        {
            Description = "Partitions of a topic created without a count (auto-created, or by a client that leaves it to the broker).",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("serve", "Run the Herald broker and its Kafka listener until stopped (Ctrl+C or SIGTERM).") { kafka, advertise, autoCreate, partitions };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            if (parse.GetValue(GlobalOptions.Server) is not null)
            {
                throw new CliException("serve runs a server itself; --server is for the other commands.");
            }

            if (parse.GetValue(partitions) < 1)
            {
                throw new CliException("--default-partitions must be at least 1.");
            }

            var listen = HostPort.Resolve(HostPort.Parse(parse.GetValue(kafka)!, "--kafka"));
            var advertised = parse.GetValue(advertise) is { } text ? HostPort.Parse(text, "--advertise") : null;
            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
            var logger = loggers.CreateLogger("Herald.Server");
            var options = new BrokerOptions { DataDirectory = context.DataDirectory, DefaultPartitions = parse.GetValue(partitions) };
            await using (var broker = await HeraldBroker.StartAsync(options, loggers, cancellationToken: cancellationToken))
            {
                KafkaServer server;
                try
                {
                    server = KafkaServer.Start(broker, new KafkaServerOptions { Listen = listen, Advertise = advertised, AutoCreateTopics = parse.GetValue(autoCreate) }, loggers);
                }
                catch (SocketException exception)
                {
                    throw new CliException($"Cannot listen on {listen}: {exception.Message}");
                }

                await using (server)
                {
                    Log.Ready(logger, Path.GetFullPath(context.DataDirectory), broker.ListTopics().Count);
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        Log.Stopping(logger);
                    }
                }
            }

            Log.Stopped(logger);
            return ExitCodes.Success;
        });
        return command;
    }
}
