using System.Net;
using Herald.Kafka;

namespace Herald.Cli;

/// <summary>Parses a Kafka listener as <c>--kafka</c> takes it: <c>[PROTOCOL://]HOST:PORT</c>, as Kafka's <c>listeners</c>.</summary>
internal static class ListenerAddress
{
    public static (SecurityProtocol Protocol, DnsEndPoint EndPoint) Parse(string text, string option)
    {
        var separator = text.IndexOf("://", StringComparison.Ordinal);
        var protocol = SecurityProtocol.Plaintext;
        if (separator >= 0 && !SecurityProtocols.TryParse(text[..separator], out protocol))
        {
            throw CliException.Usage($"{option} takes [PROTOCOL://]HOST:PORT with PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL; got '{text}'.");
        }

        return (protocol, HostPort.Parse(separator >= 0 ? text[(separator + 3)..] : text, option));
    }
}
