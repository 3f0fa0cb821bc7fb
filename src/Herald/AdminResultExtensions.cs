using Herald.Broker;

namespace Herald.Cli;

internal static class AdminResultExtensions
{
    /// <summary>Turns a refused admin request into the CLI's runtime error (exit code 1), with the broker's reason.</summary>
    public static void ThrowIfFailed(this AdminResult result)
    {
        if (!result.Succeeded)
        {
            throw new CliException($"{result.Message} ({result.Error})");
        }
    }
}
