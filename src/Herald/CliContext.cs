using System.CommandLine;
using System.Text.Json;
using Herald.Broker;
using Herald.Cli.Access;

namespace Herald.Cli;

/// <summary>What every command gets: the parsed options, the standard streams, and a way to open the broker.</summary>
internal sealed class CliContext(ParseResult parse, TextReader input, TextWriter output, TextWriter error)
{
    public ParseResult Parse { get; } = parse;

    public TextReader Input { get; } = input;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public string DataDirectory => Parse.GetValue(GlobalOptions.Data)!;

    /// <summary>The broker's settings for this run: its defaults, on --data; <c>serve</c> adds its own flags.</summary>
    public BrokerOptions BrokerOptions => new() { DataDirectory = DataDirectory };

    /// <summary>Opens the data directory in this process.</summary>
    public Task<HeraldBroker> StartBrokerAsync(CancellationToken cancellationToken) => HeraldBroker.StartAsync(BrokerOptions, cancellationToken: cancellationToken);

    public bool Json => Parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;

    /// <summary>Whether a person watches stderr, so a live progress line helps rather than clutters a log.</summary>
    public bool ShowsProgress => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>The running server named by --server, or else the data directory opened in this process.</summary>
    public async Task<IBrokerAccess> ConnectAsync(CancellationToken cancellationToken)
    {
        if (Parse.GetValue(GlobalOptions.Server) is not { } server)
        {
            return new LocalBrokerAccess(await StartBrokerAsync(cancellationToken));
        }

        // librdkafka retries an unreachable server until its timeout; one connection attempt fails fast and says why.
        var endPoint = HostPort.Parse(server, "--server");
        try
        {
            using var probe = new System.Net.Sockets.TcpClient();
            await probe.ConnectAsync(endPoint.Host, endPoint.Port, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException exception)
        {
            throw new CliException($"Cannot reach a server at {server}: {exception.Message}");
        }

        return new RemoteBrokerAccess(RemoteServer!);
    }

    /// <summary>The server named by --server with the client properties of --client-config; null without --server.</summary>
    public RemoteServer? RemoteServer => Parse.GetValue(GlobalOptions.Server) is { } server
        ? new RemoteServer(server, Parse.GetValue(GlobalOptions.ClientConfig) is { } path ? RemoteServer.ReadProperties(path) : new Dictionary<string, string>())
        : null;

    public void WriteJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Output.WriteLine(JsonSerializer.Serialize(value, type));
}
