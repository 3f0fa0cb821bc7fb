using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Herald.Kafka;
using Herald.Server;
using Microsoft.Extensions.Logging;
using Shop.Demo;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald demo</c>: runs the shop (samples/Shop) on an embedded broker with the event store and the console, or
/// on a running server, places orders, injects every fault on a schedule, shows it live, and exits 0 only if every
/// invariant held at the end.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var duration = CliOptions.Duration("--duration", "How long orders are placed; then the shop settles and the invariants are checked.", TimeSpan.FromMinutes(2));
        var rate = CliOptions.Positive("--rate", "Orders placed per second, 0.1 to 500 (default 10).");
        var seed = CliOptions.Int("--seed", "Fixes the orders and which of them the faults hit.", int.MinValue, 42);
        var noFaults = new Option<bool>("--no-faults") { Description = "Run the shop without injecting faults." };
        var http = new Option<string>("--http")
        {
            Description = "Where the console and the HTTP API listen, HOST:PORT (the next free port when it is taken), or none.",
            DefaultValueFactory = _ => $"127.0.0.1:{HttpOptions.DefaultPort}",
        };
        var command = new Command("demo", "Run the shop: all four patterns, every pitfall injected, the invariants checked live. Exits 0 only if they all hold.")
        {
            duration, rate, seed, noFaults, http,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            var orderRate = parse.GetValue(rate) ?? 10;
            if (orderRate is < 0.1 or > 500)
            {
                throw CliException.Usage($"--rate takes 0.1 to 500 orders a second; got {orderRate.ToString(CultureInfo.InvariantCulture)}.");
            }

            if (parse.GetValue(duration).Value < TimeSpan.FromSeconds(5))
            {
                throw CliException.Usage($"--duration must be at least 5s, for the faults to fit in; got {parse.GetValue(duration)}.");
            }

            var run = Path.Combine(context.DataDirectory, "demo", $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
            var options = new DemoOptions
            {
                Duration = parse.GetValue(duration).Value,
                Rate = orderRate,
                Seed = parse.GetValue(seed),
                Faults = !parse.GetValue(noFaults),
                DataDirectory = Path.Combine(run, "shop"),
                Processes = ServiceProcess.Find("Analytics") is null ? ShopProcesses.None : ShopProcesses.Analytics,
                Logging = parse.GetValue(GlobalOptions.Verbose) ? Verbose : Quiet,
            };

            HeraldServer? server = null;
            if (parse.GetValue(GlobalOptions.Server) is { } remote)
            {
                options = options with { Kafka = remote };
            }
            else
            {
                server = await StartServerAsync(run, parse.GetValue(http)!, options.Logging, cancellationToken);
                options = options with
                {
                    Broker = server.Broker,
                    Kafka = server.Kafka.BootstrapServers,
                    EventStore = (server.EventStore!, Path.Combine(run, "events", "projections")),
                };
            }

            try
            {
                var view = new DemoView(context, options, run, server?.HttpAddress);
                view.Starting();
                await using var demo = await ShopDemo.StartAsync(options, cancellationToken);
                var report = await view.RunAsync(demo, cancellationToken);
                if (context.Json)
                {
                    context.Output.WriteLine(JsonSerializer.Serialize(report, DemoJson.Options));
                }

                return report.Passed ? ExitCodes.Success : ExitCodes.Failure;
            }
            finally
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static async Task<HeraldServer> StartServerAsync(string run, string http, Action<ILoggingBuilder> logging, CancellationToken cancellationToken)
    {
        var options = new HeraldServerOptions
        {
            Broker = new Broker.BrokerOptions { DataDirectory = Path.Combine(run, "broker") },
            Kafka = KafkaServerOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) },
            Http = http == "none" ? null : HttpOptions.Default with { Listen = HostPort.Resolve(HostPort.Parse(http, "--http")) },
            EventStore = new EventStoreOptions { Directory = Path.Combine(run, "events") },
        };
        try
        {
            options.Validate();
            return await HeraldServer.StartAsync(options, logging, cancellationToken);
        }
        catch (ArgumentException exception)
        {
            throw CliException.Usage(exception.Message);
        }
        catch (IOException exception) when (options.Http is not null && exception.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // A herald serve already has the console's usual port: the demo's console takes a free one.
            return await HeraldServer.StartAsync(options with { Http = options.Http with { Listen = new System.Net.IPEndPoint(options.Http.Listen.Address, 0) } }, logging, cancellationToken);
        }
    }

    private static void Quiet(ILoggingBuilder logging) => logging.ClearProviders();

    // Warnings and errors of the server and every service, on stderr beside the summary.
    private static void Verbose(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Warning);
        logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
