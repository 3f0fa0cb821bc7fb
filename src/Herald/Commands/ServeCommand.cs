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
        var brokerDefaults = BrokerOptions.Default;
        var listenerDefaults = KafkaServerOptions.Default;
        var autoCreate = new Option<bool>("--auto-create-topics")
        {
            Description = "Create unknown topics on Metadata and Produce, as Kafka's auto.create.topics.enable.",
            DefaultValueFactory = _ => listenerDefaults.AutoCreateTopics,
        };
        var partitions = CliOptions.Int("--default-partitions", "Partitions of a topic created without a count (auto-created, or by a client that leaves it to the broker).", min: 1, defaultValue: brokerDefaults.DefaultPartitions);
        var maxPartitions = CliOptions.Int("--max-partitions", "The most partitions the broker holds across all topics; more is refused.", min: 1, defaultValue: brokerDefaults.MaxPartitions);
        var maxPartitionsPerRequest = CliOptions.Int("--max-partitions-per-request", "The most partitions one create may add.", min: 1, defaultValue: brokerDefaults.MaxPartitionsPerRequest);
        var maxRequest = CliOptions.Size("--max-request-bytes", "The largest request accepted (Kafka's socket.request.max.bytes).", min: 64, defaultValue: listenerDefaults.MaxRequestBytes);
        var queuedRequests = CliOptions.Size("--queued-max-request-bytes", "Bytes of requests held at once across all connections (Kafka's queued.max.request.bytes); reading waits beyond it.", min: 64, defaultValue: listenerDefaults.MaxQueuedRequestBytes);
        var partialTimeout = CliOptions.Duration("--partial-request-timeout", "How long one request may take to arrive before its connection is closed.", listenerDefaults.PartialRequestTimeout);
        var idle = CliOptions.Duration("--connections-max-idle", "Close a connection idle this long (Kafka's connections.max.idle.ms).", listenerDefaults.ConnectionsMaxIdle);
        var maxConnections = CliOptions.Int("--max-connections", "The most client connections at once (Kafka's max.connections).", min: 1, defaultValue: listenerDefaults.MaxConnections);
        var maxConnectionsPerIp = CliOptions.Int("--max-connections-per-ip", "The most connections at once from one address (Kafka's max.connections.per.ip).", min: 1, defaultValue: listenerDefaults.MaxConnectionsPerIp);
        var command = new Command("serve", "Run the Herald broker and its Kafka listener until stopped (Ctrl+C or SIGTERM).")
        {
            kafka, advertise, autoCreate, partitions, maxPartitions, maxPartitionsPerRequest, maxRequest, queuedRequests, partialTimeout, idle, maxConnections, maxConnectionsPerIp,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            if (parse.GetValue(GlobalOptions.Server) is not null)
            {
                throw CliException.Usage("serve runs a server itself; --server is for the other commands.");
            }

            var listen = HostPort.Resolve(HostPort.Parse(parse.GetValue(kafka)!, "--kafka"));
            var advertised = parse.GetValue(advertise) is { } text ? HostPort.Parse(text, "--advertise") : null;
            var options = context.BrokerOptions with
            {
                DefaultPartitions = parse.GetValue(partitions),
                MaxPartitions = parse.GetValue(maxPartitions),
                MaxPartitionsPerRequest = parse.GetValue(maxPartitionsPerRequest),
            };
            var listenerOptions = new KafkaServerOptions
            {
                Listen = listen,
                Advertise = advertised,
                AutoCreateTopics = parse.GetValue(autoCreate),
                MaxRequestBytes = (int)Math.Min(parse.GetValue(maxRequest).Value, int.MaxValue),
                MaxQueuedRequestBytes = parse.GetValue(queuedRequests).Value,
                PartialRequestTimeout = parse.GetValue(partialTimeout).Value,
                ConnectionsMaxIdle = parse.GetValue(idle).Value,
                MaxConnections = parse.GetValue(maxConnections),
                MaxConnectionsPerIp = parse.GetValue(maxConnectionsPerIp),
            };
            try
            {
                options.Validate();
                listenerOptions.Validate();
            }
            catch (ArgumentException exception)
            {
                throw CliException.Usage(exception.Message);
            }

            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
            var logger = loggers.CreateLogger("Herald.Server");
            await using (var broker = await HeraldBroker.StartAsync(options, loggers, cancellationToken: cancellationToken))
            {
                KafkaServer server;
                try
                {
                    server = KafkaServer.Start(broker, listenerOptions, loggers);
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
