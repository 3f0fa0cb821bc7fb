using System.Net;
using Herald.Security;

namespace Herald.Kafka;

/// <summary>How the Kafka listener listens, what it tells clients, and what it accepts.</summary>
public sealed record KafkaServerOptions
{
    /// <summary>The defaults: loopback on Kafka's port, with the limits below.</summary>
    public static KafkaServerOptions Default { get; } = new();

    /// <summary>Kafka's customary port.</summary>
    public const int DefaultPort = 9092;

    /// <summary>The address to listen on. Port 0 picks a free port.</summary>
    public IPEndPoint Listen { get; init; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>
    /// The host and port clients are told to connect to (in Metadata and FindCoordinator). Defaults to the listening
    /// address, with the wildcard address replaced by 127.0.0.1.
    /// </summary>
    public DnsEndPoint? Advertise { get; init; }

    /// <summary>This broker's node id, as Metadata lists it.</summary>
    public int NodeId { get; init; } = 1;

    /// <summary>The cluster id clients see.</summary>
    public string ClusterId { get; init; } = "herald";

    /// <summary>
    /// The largest request accepted, as Kafka's <c>socket.request.max.bytes</c>. A larger length prefix closes the
    /// connection before anything is allocated for it. Defaults to 100 MiB.
    /// </summary>
    public int MaxRequestBytes { get; init; } = 100 * 1024 * 1024;

    /// <summary>
    /// The most bytes of requests held at once across all connections, from the length prefix until the response is
    /// written, as Kafka's <c>queued.max.request.bytes</c>. A connection whose next request does not fit stops being
    /// read until others finish. At least <see cref="MaxRequestBytes"/>. Defaults to 200 MiB.
    /// </summary>
    public long MaxQueuedRequestBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>
    /// How long a request may take to arrive, from its first byte to its last; a connection that sends part of a
    /// request and stalls is closed after this. Defaults to 30 s.
    /// </summary>
    public TimeSpan PartialRequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A connection that sends nothing and waits for nothing this long is closed, as Kafka's <c>connections.max.idle.ms</c>.
    /// Clients reconnect when they need to. Defaults to 10 minutes.
    /// </summary>
    public TimeSpan ConnectionsMaxIdle { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The most client connections open at once, as Kafka's <c>max.connections</c>; more are closed on accept. Defaults to 10,000.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>The most connections open at once from one IP address, as Kafka's <c>max.connections.per.ip</c>. Defaults to 2,000.</summary>
    public int MaxConnectionsPerIp { get; init; } = 2_000;

    /// <summary>The most record bytes one fetch response carries, as Kafka's <c>fetch.max.bytes</c> (55 MiB); at least one batch is always sent.</summary>
    public int MaxFetchBytes { get; init; } = 55 * 1024 * 1024;

    /// <summary>
    /// The longest a fetch waits for data before it answers, whatever max wait it asks for; clients then fetch again.
    /// It bounds how long a connection is held by a fetch. Defaults to 30 s (clients ask for 0.5 to 5 s).
    /// </summary>
    public TimeSpan MaxFetchWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests read ahead of their responses on one connection before reading pauses.</summary>
    public int MaxInFlightRequestsPerConnection { get; init; } = 16;

    /// <summary>Whether Metadata and Produce create unknown topics, as Kafka's <c>auto.create.topics.enable</c>.</summary>
    public bool AutoCreateTopics { get; init; } = true;

    /// <summary>Partitions of an auto-created topic; null uses the broker's default.</summary>
    public int? AutoCreatePartitions { get; init; }

    /// <summary>How clients connect: TLS or not, SASL or not. Defaults to <see cref="SecurityProtocol.Plaintext"/>.</summary>
    public SecurityProtocol Protocol { get; init; } = SecurityProtocol.Plaintext;

    /// <summary>The TLS certificate and client certificate checks; required for <c>SSL</c> and <c>SASL_SSL</c>.</summary>
    public TlsOptions? Tls { get; init; }

    /// <summary>
    /// The SASL mechanisms offered on a SASL listener, as Kafka's <c>sasl.enabled.mechanisms</c>. Defaults to PLAIN,
    /// SCRAM-SHA-256 and SCRAM-SHA-512.
    /// </summary>
    public IReadOnlyList<string> SaslMechanisms { get; init; } = SaslExchange.Mechanisms;

    /// <summary>
    /// How long an authenticated SASL session lasts before the client must authenticate again on the same connection
    /// (KIP-368, Kafka's <c>connections.max.reauth.ms</c>); a client that does not is disconnected at its next request.
    /// Null never expires sessions (the default, as Kafka's 0).
    /// </summary>
    public TimeSpan? MaxReauthenticationInterval { get; init; }

    /// <summary>
    /// How long a failed authentication waits before its answer, after which the connection closes, as Kafka's
    /// <c>connection.failed.authentication.delay.ms</c>. It slows password guessing. Defaults to 100 ms.
    /// </summary>
    public TimeSpan FailedAuthenticationDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a SASL client has from connecting until it has authenticated. Defaults to 30 s.</summary>
    public TimeSpan AuthenticationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest request accepted before a client has authenticated, as Kafka's <c>sasl.server.max.receive.size</c>.
    /// Defaults to 512 KiB.
    /// </summary>
    public int MaxUnauthenticatedRequestBytes { get; init; } = 512 * 1024;

    /// <summary>Whether the listener knows who its clients are: SASL, or TLS with client certificates required.</summary>
    public bool Authenticates => Protocol.UsesSasl() || (Protocol == SecurityProtocol.Ssl && Tls?.ClientCertificates == ClientCertificates.Required);

    /// <summary>Checks the settings once, at start.</summary>
    /// <exception cref="ArgumentException">Naming the first setting out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Listen);
        Require(MaxRequestBytes >= 64, $"MaxRequestBytes (socket.request.max.bytes) must be at least 64 bytes, got {MaxRequestBytes}.");
        Require(MaxQueuedRequestBytes >= MaxRequestBytes, $"MaxQueuedRequestBytes (queued.max.request.bytes) must be at least MaxRequestBytes ({MaxRequestBytes}), got {MaxQueuedRequestBytes}.");
        Require(MaxFetchBytes > 0, $"MaxFetchBytes (fetch.max.bytes) must be positive, got {MaxFetchBytes}.");
        Require(MaxFetchWait >= TimeSpan.Zero, $"MaxFetchWait must not be negative, got {MaxFetchWait}.");
        Require(MaxInFlightRequestsPerConnection > 0, $"MaxInFlightRequestsPerConnection must be positive, got {MaxInFlightRequestsPerConnection}.");
        Require(PartialRequestTimeout > TimeSpan.Zero, $"PartialRequestTimeout must be positive, got {PartialRequestTimeout}.");
        Require(ConnectionsMaxIdle > TimeSpan.Zero, $"ConnectionsMaxIdle (connections.max.idle.ms) must be positive, got {ConnectionsMaxIdle}.");
        Require(MaxConnections > 0, $"MaxConnections (max.connections) must be positive, got {MaxConnections}.");
        Require(MaxConnectionsPerIp > 0, $"MaxConnectionsPerIp (max.connections.per.ip) must be positive, got {MaxConnectionsPerIp}.");
        Require(AutoCreatePartitions is null or > 0, $"AutoCreatePartitions must be positive when set, got {AutoCreatePartitions}.");
        Require(!Protocol.UsesTls() || Tls is not null, $"A {Protocol.KafkaName()} listener needs a TLS certificate (Tls; --tls-cert and --tls-key).");
        Tls?.Validate();
        Require(!Protocol.UsesSasl() || SaslMechanisms.Count > 0, $"A {Protocol.KafkaName()} listener needs at least one SASL mechanism.");
        Require(
            SaslMechanisms.All(m => SaslExchange.Mechanisms.Contains(m)),
            $"SaslMechanisms may hold {string.Join(", ", SaslExchange.Mechanisms)}, got {string.Join(", ", SaslMechanisms)}.");
        Require(MaxReauthenticationInterval is null || MaxReauthenticationInterval > TimeSpan.Zero, $"MaxReauthenticationInterval must be positive when set, got {MaxReauthenticationInterval}.");
        Require(FailedAuthenticationDelay >= TimeSpan.Zero, $"FailedAuthenticationDelay must not be negative, got {FailedAuthenticationDelay}.");
        Require(AuthenticationTimeout > TimeSpan.Zero, $"AuthenticationTimeout must be positive, got {AuthenticationTimeout}.");
        Require(MaxUnauthenticatedRequestBytes >= 1024, $"MaxUnauthenticatedRequestBytes must be at least 1 KiB, got {MaxUnauthenticatedRequestBytes}.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
