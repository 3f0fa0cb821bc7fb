using System.Diagnostics.Metrics;

namespace Herald.Server;

/// <summary>The server's own metrics, under the meter <c>Herald.Server</c> (exported at <c>/metrics</c>).</summary>
public static class ServerTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string Name = "Herald.Server";

    internal static readonly Meter Meter = new(Name, typeof(ServerTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly UpDownCounter<long> ActiveTails = Meter.CreateUpDownCounter<long>("herald.server.tail.active", "{tail}", "Live tails (Server-Sent Events streams) open now.");

    internal static readonly Counter<long> TailsCutOff = Meter.CreateCounter<long>("herald.server.tail.cut_off", "{tail}", "Live tails disconnected because their client read too slowly.");
}
