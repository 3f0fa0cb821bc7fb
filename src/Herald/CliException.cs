namespace Herald.Cli;

/// <summary>A failure the user can act on: printed on stderr without a stack trace, with its exit code.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    /// <summary>A wrong or missing argument: exit code 2.</summary>
    public static CliException Usage(string message) => new(message, ExitCodes.Usage);
}
