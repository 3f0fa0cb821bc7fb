using System.Collections.Concurrent;
using System.Net;

namespace Herald.Kafka.Internal;

/// <summary>
/// The listener's open connections: admits new ones within <see cref="KafkaServerOptions.MaxConnections"/> and
/// <see cref="KafkaServerOptions.MaxConnectionsPerIp"/>, and sweeps them once a second for the idle and partial-request
/// timeouts, so no connection needs a timer of its own.
/// </summary>
internal sealed class ConnectionRegistry : IDisposable
{
    private readonly KafkaServerOptions _options;
    private readonly ConcurrentDictionary<KafkaConnection, IPAddress?> _open = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Lock _lock = new();
    private readonly ITimer _sweeper;
    private int _count;

    public ConnectionRegistry(KafkaServerOptions options)
    {
        _options = options;
        var shortest = options.PartialRequestTimeout < options.ConnectionsMaxIdle ? options.PartialRequestTimeout : options.ConnectionsMaxIdle;
        var period = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 50, 1000));
        _sweeper = TimeProvider.System.CreateTimer(static state => ((ConnectionRegistry)state!).Sweep(), this, period, period);
    }

    /// <summary>Counts a connection from <paramref name="address"/> in, or says why it may not open.</summary>
    /// <returns>Null when admitted; otherwise the reason, and the caller closes the socket.</returns>
    public string? TryAdmit(IPAddress? address)
    {
        lock (_lock)
        {
            if (_count >= _options.MaxConnections)
            {
                return $"{_count} connections are open, the most allowed (max.connections)";
            }

            var fromAddress = address is null ? 0 : _perAddress.GetValueOrDefault(address);
            if (address is not null && fromAddress >= _options.MaxConnectionsPerIp)
            {
                return $"{fromAddress} connections from {address} are open, the most allowed from one address (max.connections.per.ip)";
            }

            _count++;
            KafkaTelemetry.Connections.Add(1);
            if (address is not null)
            {
                _perAddress[address] = fromAddress + 1;
            }

            return null;
        }
    }

    /// <summary>Watches an admitted connection until it ends.</summary>
    public void Track(KafkaConnection connection, IPAddress? address) => _open[connection] = address;

    /// <summary>Forgets a connection that was admitted, whether or not it got to be tracked.</summary>
    public void Remove(KafkaConnection? connection, IPAddress? address)
    {
        if (connection is not null)
        {
            _open.TryRemove(connection, out _);
        }

        lock (_lock)
        {
            _count--;
            KafkaTelemetry.Connections.Add(-1);
            if (address is not null && _perAddress.TryGetValue(address, out var fromAddress))
            {
                if (fromAddress <= 1)
                {
                    _perAddress.Remove(address);
                }
                else
                {
                    _perAddress[address] = fromAddress - 1;
                }
            }
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var connection in _open.Keys)
        {
            try
            {
                connection.CloseIfExpired(now);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // A timer thread must not end the process; the connection is closing either way.
            }
        }
    }
}
