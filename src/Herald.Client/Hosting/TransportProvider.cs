using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>Creates the configured transport once, on first use (starting an embedded broker is asynchronous), and disposes it with the host.</summary>
internal sealed class TransportProvider(Func<CancellationToken, Task<IEventTransport>> create) : IAsyncDisposable
{
    /// <summary>What an application without a transport is told when it publishes or consumes.</summary>
    public const string NoTransport = "Herald has no transport: choose one in AddHerald with UseEmbedded(\"data\") or UseKafka(\"host:9092\") to publish or consume events.";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private IEventTransport? _transport;

    /// <summary>Whether AddHerald chose a transport; an application that only uses the event store needs none.</summary>
    public bool IsConfigured { get; private init; } = true;

    /// <summary>The stand-in for no transport: every use fails with <see cref="NoTransport"/>.</summary>
    public static TransportProvider None() => new(_ => throw new InvalidOperationException(NoTransport)) { IsConfigured = false };

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
