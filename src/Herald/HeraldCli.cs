using System.CommandLine;
using Herald.Cli.Commands;

namespace Herald.Cli;

/// <summary>The <c>herald</c> command line: parses, runs one command, maps every failure to a message and an exit code.</summary>
internal static class HeraldCli
{
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Herald: an event streaming platform for .NET.")
        {
            GlobalOptions.Data,
            GlobalOptions.Output,
            GlobalOptions.Server,
            GlobalOptions.ClientConfig,
            GlobalOptions.Verbose,
        };
        Func<ParseResult, CliContext> contextFor = parsed => new CliContext(parsed, input, output, error);
        root.Subcommands.Add(ServeCommand.Create(contextFor));
        root.Subcommands.Add(TopicsCommand.Create(contextFor));
        root.Subcommands.Add(ProduceCommand.Create(contextFor));
        root.Subcommands.Add(ConsumeCommand.Create(contextFor));
        root.Subcommands.Add(GroupsCommand.Create(contextFor));
        root.Subcommands.Add(DlqCommand.Create(contextFor));
        root.Subcommands.Add(StreamsCommand.Create(contextFor));
        root.Subcommands.Add(ProjectionsCommand.Create(contextFor));
        root.Subcommands.Add(Bench.BenchCommand.Create(contextFor));
        root.Subcommands.Add(DemoCommand.Create(contextFor));
        root.Subcommands.Add(UsersCommand.Create(contextFor));

        // With an action of its own, a bare or mistyped command is reported as just that, not as a missing command too.
        root.SetAction(new Func<ParseResult, int>(_ => throw CliException.Usage("Give a command, such as 'herald serve' or 'herald topics list'.")));

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
        catch (Exception exception)
        {
            var (message, exitCode, unexpected) = Failures.Describe(exception);
            await error.WriteLineAsync($"herald: {message}");
            if (parse.GetValue(GlobalOptions.Verbose))
            {
                await error.WriteLineAsync(exception.ToString());
            }
            else if (unexpected)
            {
                await error.WriteLineAsync("Run again with --verbose for the details.");
            }

            if (exitCode == ExitCodes.Usage)
            {
                await error.WriteLineAsync("Run 'herald --help' for usage.");
            }

            return exitCode;
        }
    }
}
