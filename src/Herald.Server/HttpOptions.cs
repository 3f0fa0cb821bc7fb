using System.Net;

namespace Herald.Server;

/// <summary>The server's HTTP side: where it listens and how much one request may cost. Immutable.</summary>
public sealed record HttpOptions
{
    /// <summary>The port <c>herald serve</c> uses for HTTP unless told otherwise.</summary>
    public const int DefaultPort = 8080;

    /// <summary>127.0.0.1:8080 with the limits below.</summary>
    public static HttpOptions Default { get; } = new();

    /// <summary>Where Kestrel listens. Port 0 picks a free one (see <see cref="HeraldServer.HttpAddress"/>). Defaults to 127.0.0.1:8080.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>The largest request body accepted, such as a produce batch; more is answered 413. Defaults to 8 MiB.</summary>
    public long MaxRequestBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Bytes of stored batches one browse or trace request reads at most before it answers with what it found and a
    /// cursor to go on from. Defaults to 4 MiB.
    /// </summary>
    public int MaxScanBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Events a live tail holds for a client that reads too slowly; beyond this it is cut off. Defaults to 1,000.</summary>
    public int TailBufferEvents { get; init; } = 1000;

    /// <summary>Bytes of record values a live tail holds for a client that reads too slowly; beyond this it is cut off. Defaults to 16 MiB.</summary>
    public long TailBufferBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Live tails open at once, across all clients; one more is answered 503. Defaults to 256.</summary>
    public int MaxTails { get; init; } = 256;

    /// <summary>The most records one produce request may carry; more is answered 400. Defaults to 10,000.</summary>
    public int MaxRecordsPerRequest { get; init; } = 10_000;

    /// <summary>Checks the limits; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Listen);
        if (MaxRequestBytes < 1024)
        {
            throw new ArgumentException($"MaxRequestBytes must be at least 1 KiB; it is {MaxRequestBytes}.");
        }

        if (MaxScanBytes < 64 * 1024)
        {
            throw new ArgumentException($"MaxScanBytes must be at least 64 KiB; it is {MaxScanBytes}.");
        }

        if (TailBufferBytes < 64 * 1024)
        {
            throw new ArgumentException($"TailBufferBytes must be at least 64 KiB; it is {TailBufferBytes}.");
        }

        if (MaxTails < 1)
        {
            throw new ArgumentException($"MaxTails must be at least 1; it is {MaxTails}.");
        }

        if (MaxRecordsPerRequest < 1)
        {
            throw new ArgumentException($"MaxRecordsPerRequest must be at least 1; it is {MaxRecordsPerRequest}.");
        }

        if (TailBufferEvents < 1)
        {
            throw new ArgumentException($"TailBufferEvents must be at least 1; it is {TailBufferEvents}.");
        }
    }
}
