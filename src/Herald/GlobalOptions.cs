using System.CommandLine;

namespace Herald.Cli;

/// <summary>Options every command accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Data = new("--data")
    {
        Description = "The data directory the broker keeps topics in.",
        DefaultValueFactory = _ => Broker.BrokerOptions.Default.DataDirectory,
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output")
    {
        Description = "Print lists as text or as JSON.",
        DefaultValueFactory = _ => OutputFormat.Text,
        Recursive = true,
    };

    public static readonly Option<string?> Server = new("--server")
    {
        Description = "HOST:PORT of a running Herald server to talk to over the Kafka protocol, instead of opening --data.",
        Recursive = true,
    };

    public static readonly Option<string?> ClientConfig = new("--client-config")
    {
        Description = "A Kafka client properties file for --server (security.protocol, sasl.mechanism, sasl.username, sasl.password, ssl.ca.location, ...), as Kafka's tools take --command-config.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On a failure, print its full details (the stack trace) after the one-line message.",
        Recursive = true,
    };
}
