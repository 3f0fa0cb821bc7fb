using System.CommandLine;
using System.Text.Json;
using Herald.Broker;

namespace Herald.Cli;

/// <summary>What every command gets: the parsed options, the standard streams, and a way to open the broker.</summary>
internal sealed class CliContext(ParseResult parse, TextReader input, TextWriter output, TextWriter error)
{
    public ParseResult Parse { get; } = parse;

    public TextReader Input { get; } = input;

    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public string DataDirectory => Parse.GetValue(GlobalOptions.Data)!;

    public bool Json => Parse.GetValue(GlobalOptions.Output) == OutputFormat.Json;

    /// <summary>Whether a person watches stderr, so a live progress line helps rather than clutters a log.</summary>
    public bool ShowsProgress => ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;

    public Task<HeraldBroker> OpenBrokerAsync(CancellationToken cancellationToken) =>
        HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = DataDirectory }, cancellationToken: cancellationToken);

    public void WriteJson<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        Output.WriteLine(JsonSerializer.Serialize(value, type));
}
