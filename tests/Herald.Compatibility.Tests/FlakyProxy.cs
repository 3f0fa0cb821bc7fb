using System.Net;
using System.Net.Sockets;

namespace Herald.Compatibility.Tests;

/// <summary>
/// A TCP proxy that cuts each connection after a random amount of client traffic, in the middle of requests and
/// between a request and its response, so clients must reconnect and retry what they had in flight.
/// </summary>
internal sealed class FlakyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random = new(42);
    private readonly List<Task> _pumps = [];
    private Task _accepting = Task.CompletedTask;
    private int _cuts;

    public FlakyProxy()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>How much a client may send before its connection is cut, at least.</summary>
    public int MinBytesPerConnection { get; init; } = 64 * 1024;

    /// <summary>How much a client may send before its connection is cut, at most.</summary>
    public int MaxBytesPerConnection { get; init; } = 512 * 1024;

    public void Start(IPEndPoint upstream) => _accepting = AcceptAsync(upstream);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps);
        _stop.Dispose();
    }

    private async Task AcceptAsync(IPEndPoint upstream)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            int budget;
            lock (_random)
            {
                budget = _random.Next(MinBytesPerConnection, MaxBytesPerConnection);
            }

            lock (_pumps)
            {
                _pumps.Add(ForwardAsync(client, upstream, budget));
            }
        }
    }

    private async Task ForwardAsync(TcpClient client, IPEndPoint upstream, int budget)
    {
        using var server = new TcpClient();
        using (client)
        {
            try
            {
                await server.ConnectAsync(upstream, _stop.Token);
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), budget, cut);
                var down = PumpAsync(server.GetStream(), client.GetStream(), int.MaxValue, cut);
                await Task.WhenAny(up, down);
                await cut.CancelAsync();
                await Task.WhenAll(up, down);
            }
            catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
            {
            }
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, int budget, CancellationTokenSource cut)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (budget > 0)
            {
                var read = await from.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, budget)), cut.Token);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), cut.Token);
                budget -= read;
            }

            Interlocked.Increment(ref _cuts);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException)
        {
        }
    }
}
