namespace Herald.Cli.Bench;

/// <summary>Sends messages, batching as configured, and reports each acknowledgement.</summary>
internal interface IBenchProducer : IAsyncDisposable
{
    /// <summary>Queues one message (copied before return); <paramref name="scheduled"/> comes back in the acknowledgement.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, long scheduled, CancellationToken cancellationToken);

    /// <summary>Sends what is queued and waits for every acknowledgement.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
