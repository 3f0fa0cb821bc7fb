using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>Creates the configured transport once, on first use (starting an embedded broker is asynchronous), and disposes it with the host.</summary>
internal sealed class TransportProvider(Func<CancellationToken, Task<IEventTransport>> create) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IEventTransport? _transport;

    public async ValueTask<IEventTransport> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _transport) is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _transport ??= await create(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_transport is { } transport)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
