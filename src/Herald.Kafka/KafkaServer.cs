using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Kafka;

/// <summary>
/// Serves a <see cref="HeraldBroker"/> over the Kafka wire protocol, so any Kafka client, kcat and the admin tools work
/// against it unchanged.
/// </summary>
public sealed class KafkaServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly KafkaApis _apis;
    private readonly ListenerServices _services;
    private readonly ConnectionRegistry _registry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _accepting;

    private KafkaServer(Socket listener, HeraldBroker broker, KafkaServerOptions options, UserStore? users, Authorizer authorizer, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("Herald.Kafka");
        _listener = listener;
        _logger = logger;
        var bound = (IPEndPoint)listener.LocalEndPoint!;
        var host = options.Advertise?.Host ?? (bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : bound.Address.ToString());
        var port = options.Advertise is { Port: > 0 } advertise ? advertise.Port : bound.Port;
        Advertised = new DnsEndPoint(host, port);
        var security = new ListenerSecurity(options, users, authorizer, loggers.CreateLogger(AuditCategory));
        _apis = new KafkaApis(new ClusterView(broker, options, host, port), security);
        _services = new ListenerServices(_apis, options, security, logger);
        Protocol = options.Protocol;
        _registry = new ConnectionRegistry(options);
        Log.Listening(logger, options.Protocol.KafkaName(), bound.ToString(), host, port);
        _accepting = AcceptAsync();
    }

    /// <summary>The logging category of the audit log: authentications, refusals and, later, denials and admin changes.</summary>
    public const string AuditCategory = "Herald.Audit";

    /// <summary>How this listener's clients connect.</summary>
    public SecurityProtocol Protocol { get; }

    /// <summary>Bytes of requests held right now across all connections (what <see cref="KafkaServerOptions.MaxQueuedRequestBytes"/> bounds).</summary>
    public long QueuedRequestBytes => _services.Budget.InUse;

    /// <summary>The address the listener is bound to (with the real port when port 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The host and port clients are told to use.</summary>
    public DnsEndPoint Advertised { get; }

    /// <summary>"host:port" of <see cref="Advertised"/>, as Kafka clients take it in <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers => $"{Advertised.Host}:{Advertised.Port}";

    /// <summary>The APIs and versions this server answers, in key order.</summary>
    public IReadOnlyList<SupportedApi> SupportedApis =>
        [.. _apis.All.Select(a => new SupportedApi(a.Key, a.Name, a.MinVersion, a.MaxVersion, ApiCatalog.Find(a.Key)!.FlexibleFrom))];

    /// <summary>Starts listening. Fails at once when the address is taken.</summary>
    /// <param name="broker">The broker to serve.</param>
    /// <param name="options">The listener's settings, its security protocol among them.</param>
    /// <param name="loggerFactory">Where the listener logs (category <c>Herald.Kafka</c>) and audits (<see cref="AuditCategory"/>).</param>
    /// <param name="users">The users SASL clients authenticate as and the user APIs administer; required when the protocol uses SASL.</param>
    /// <param name="authorizer">Who may do what; defaults to <see cref="Authorizer.None"/>, without super users.</param>
    public static KafkaServer Start(HeraldBroker broker, KafkaServerOptions options, ILoggerFactory? loggerFactory = null, UserStore? users = null, Authorizer? authorizer = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Protocol.UsesSasl() && users is null)
        {
            throw new ArgumentException($"A {options.Protocol.KafkaName()} listener needs the users clients authenticate as.", nameof(users));
        }

        var listener = new Socket(options.Listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(options.Listen);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new KafkaServer(listener, broker, options, users, authorizer ?? Authorizer.None, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>
    /// Serves one connection that is not a socket, such as an in-memory pipe in a test or benchmark, until either side
    /// completes it or the server stops.
    /// </summary>
    public Task ServeAsync(IDuplexPipe transport, string clientName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, cancellationToken);
        if (_registry.TryAdmit(null) is { } refused)
        {
            stopping.Dispose();
            return Task.FromException(new InvalidOperationException($"The connection was refused: {refused}."));
        }

        var connection = new KafkaConnection(_ => Task.FromResult(new OpenedTransport(transport, null)), clientName, _services, stopping.Token);
        return Run(connection, null, stopping);
    }

    /// <summary>Stops accepting, closes every connection and waits for them to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_connections.Keys).ConfigureAwait(false);
        _registry.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                // Out of file descriptors, say: back off rather than spin, and keep accepting once it passes.
                Log.AcceptFailed(_logger, exception);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            IPAddress? address;
            try
            {
                socket.NoDelay = true;
                address = (socket.RemoteEndPoint as IPEndPoint)?.Address;
            }
            catch (SocketException)
            {
                socket.Dispose(); // closed by the peer already
                continue;
            }

            if (_registry.TryAdmit(address) is { } refused)
            {
                _services.Warn(suppressed => Log.ConnectionRefused(_logger, address?.ToString() ?? "unknown", refused, suppressed));
                socket.Dispose();
                continue;
            }

            KafkaConnection connection;
            try
            {
                connection = KafkaConnection.ForSocket(socket, _services, _stopping.Token);
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
            {
                _registry.Remove(null, address); // admitted, but gone before it began
                socket.Dispose();
                continue;
            }

            _ = Run(connection, address, stopping: null);
        }
    }

    private Task Run(KafkaConnection connection, IPAddress? address, CancellationTokenSource? stopping)
    {
        _registry.Track(connection, address);
        var running = Task.Run(connection.RunAsync);
        _connections.TryAdd(running, 0);
        return running.ContinueWith(
            done =>
            {
                _connections.TryRemove(done, out _);
                _registry.Remove(connection, address);
                stopping?.Dispose();
                return done; // a connection loop that threw is a bug its caller should see
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default).Unwrap();
    }
}
