using System.CommandLine;
using Herald.Broker;
using Microsoft.Extensions.Logging;

namespace Herald.Cli.Commands;

/// <summary><c>herald serve</c>: runs the broker on the data directory until SIGINT or SIGTERM, then closes it cleanly.</summary>
internal static class ServeCommand
{
    public static Command Create(Func<ParseResult, CliContext> contextFor)
    {
        var command = new Command("serve", "Run the Herald broker on the data directory until stopped (Ctrl+C or SIGTERM).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var context = contextFor(parse);
            using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
            var logger = loggers.CreateLogger("Herald.Server");
            var options = new BrokerOptions { DataDirectory = context.DataDirectory };
            await using (var broker = await HeraldBroker.StartAsync(options, loggers, cancellationToken: cancellationToken))
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

            Log.Stopped(logger);
            return ExitCodes.Success;
        });
        return command;
    }
}
