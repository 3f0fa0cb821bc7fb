using Confluent.Kafka;

namespace Herald.Cli.Access;

/// <summary>
/// A running server as the CLI reaches it: <c>--server</c>, and the Kafka client properties of
/// <c>--client-config</c> (security.protocol, sasl.*, ssl.*), as Kafka's own tools take them in
/// <c>--command-config</c>.
/// </summary>
internal sealed record RemoteServer(string BootstrapServers, IReadOnlyDictionary<string, string> Properties)
{
    /// <summary>The longest properties file read.</summary>
    private const int MaxFileBytes = 1024 * 1024;

    /// <summary>Reads a Java properties file: <c>key=value</c> lines, <c>#</c> and <c>!</c> comments.</summary>
    public static IReadOnlyDictionary<string, string> ReadProperties(string path)
    {
        string[] lines;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes)
            {
                throw CliException.Usage($"--client-config {path} is larger than 1 MiB; it should hold a few client settings.");
            }

            lines = File.ReadAllLines(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"Cannot read --client-config {path}: {exception.Message}");
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (line, number) in lines.Select((l, i) => (l.Trim(), i + 1)))
        {
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var separator = line.IndexOfAny(['=', ':']);
            if (separator <= 0)
            {
                throw CliException.Usage($"--client-config {path}, line {number}: expected key=value, got '{line}'.");
            }

            properties[line[..separator].Trim()] = line[(separator + 1)..].Trim();
        }

        return properties;
    }

    /// <summary>The config with the server and the client properties set on it.</summary>
    public T Configure<T>(T config)
        where T : ClientConfig
    {
        config.BootstrapServers = BootstrapServers;
        config.ClientId ??= "herald-cli";
        foreach (var (key, value) in Properties)
        {
            config.Set(key, value);
        }

        return config;
    }
}
