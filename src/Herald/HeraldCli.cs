using System.CommandLine;
using Herald.Broker;
using Herald.Cli.Commands;

namespace Herald.Cli;

/// <summary>The <c>herald</c> command line: parses, runs one command, maps failures to exit codes.</summary>
internal static class HeraldCli
{
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Herald: an event streaming platform for .NET.")
        {
            GlobalOptions.Data,
            GlobalOptions.Output,
            GlobalOptions.Server,
        };
        Func<ParseResult, CliContext> contextFor = parsed => new CliContext(parsed, input, output, error);
        root.Subcommands.Add(ServeCommand.Create(contextFor));
        root.Subcommands.Add(TopicsCommand.Create(contextFor));
        root.Subcommands.Add(ProduceCommand.Create(contextFor));
        root.Subcommands.Add(ConsumeCommand.Create(contextFor));
        root.Subcommands.Add(GroupsCommand.Create(contextFor));
        root.Subcommands.Add(DlqCommand.Create(contextFor));
        root.Subcommands.Add(Bench.BenchCommand.Create(contextFor));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"herald: {problem.Message}");
            }

            await error.WriteLineAsync("Run 'herald --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            // SIGINT and SIGTERM cancel the command's token; a clean shutdown then gets up to 30 s to flush.
            var invocation = new InvocationConfiguration
            {
                Output = output,
                Error = error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = TimeSpan.FromSeconds(30),
            };
            return await parse.InvokeAsync(invocation);
        }
        catch (Exception exception) when (exception is CliException or DataDirectoryLockedException or IOException or InvalidDataException)
        {
            await error.WriteLineAsync($"herald: {exception.Message}");
            return ExitCodes.Failure;
        }
    }
}
