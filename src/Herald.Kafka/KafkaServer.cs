using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
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
    private readonly KafkaServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _accepting;

    private KafkaServer(Socket listener, HeraldBroker broker, KafkaServerOptions options, ILogger logger)
    {
        _listener = listener;
        _options = options;
        _logger = logger;
        var bound = (IPEndPoint)listener.LocalEndPoint!;
        var host = options.Advertise?.Host ?? (bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) ? "127.0.0.1" : bound.Address.ToString());
        var port = options.Advertise is { Port: > 0 } advertise ? advertise.Port : bound.Port;
        Advertised = new DnsEndPoint(host, port);
        _apis = new KafkaApis(new ClusterView(broker, options, host, port));
        Log.Listening(logger, bound.ToString(), host, port);
        _accepting = AcceptAsync();
    }

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
    public static KafkaServer Start(HeraldBroker broker, KafkaServerOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(options);
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

        return new KafkaServer(listener, broker, options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Herald.Kafka"));
    }

    /// <summary>
    /// Serves one connection that is not a socket, such as an in-memory pipe in a test or benchmark, until either side
    /// completes it or the server stops.
    /// </summary>
    public Task ServeAsync(IDuplexPipe transport, string clientName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, cancellationToken);
        var running = new KafkaConnection(transport, clientName, _apis, _options, _logger).RunAsync(stopping.Token);
        _connections.TryAdd(running, 0);
        return running.ContinueWith(
            done =>
            {
                _connections.TryRemove(done, out _);
                stopping.Dispose();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
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

            try
            {
                socket.NoDelay = true;
            }
            catch (SocketException)
            {
                socket.Dispose(); // closed by the peer already
                continue;
            }

            var running = Task.Run(() => KafkaConnection.RunAsync(socket, _apis, _options, _logger, _stopping.Token));
            _connections.TryAdd(running, 0);
            _ = running.ContinueWith(done => _connections.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }
}
