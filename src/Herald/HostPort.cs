using System.Globalization;
using System.Net;

namespace Herald.Cli;

/// <summary>Parses "HOST:PORT" (with "[v6]:PORT" for IPv6 literals), as --kafka, --advertise and --server take it.</summary>
internal static class HostPort
{
    public static DnsEndPoint Parse(string text, string option)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort)
        {
            throw CliException.Usage($"{option} takes HOST:PORT, such as 127.0.0.1:9092; got '{text}'.");
        }

        var host = text[..colon].Trim('[', ']');
        return new DnsEndPoint(host, port);
    }

    /// <summary>The address to bind: an IP literal as is, a name resolved (IPv4 preferred).</summary>
    public static IPEndPoint Resolve(DnsEndPoint endPoint)
    {
        if (IPAddress.TryParse(endPoint.Host, out var address))
        {
            return new IPEndPoint(address, endPoint.Port);
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(endPoint.Host);
        }
        catch (System.Net.Sockets.SocketException exception)
        {
            throw new CliException($"'{endPoint.Host}' does not resolve to an address: {exception.Message}");
        }

        var chosen = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
            ?? throw new CliException($"'{endPoint.Host}' does not resolve to an address.");
        return new IPEndPoint(chosen, endPoint.Port);
    }
}
