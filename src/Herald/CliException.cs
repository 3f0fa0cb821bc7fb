namespace Herald.Cli;

/// <summary>A failure the user can act on: printed on stderr without a stack trace, exit code 1.</summary>
internal sealed class CliException(string message) : Exception(message);
