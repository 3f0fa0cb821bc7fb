namespace Herald.Cli.Bench;

/// <summary>Where a bench runs: a server through Confluent.Kafka, or an embedded broker.</summary>
internal interface IBenchTarget : IAsyncDisposable
{
    Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken);

    Task DeleteTopicAsync(string topic, CancellationToken cancellationToken);

    /// <summary>A producer that calls <paramref name="acknowledged"/> with each message's scheduled send time (Stopwatch ticks) and whether it succeeded.</summary>
    IBenchProducer CreateProducer(BenchSettings settings, Action<long, bool> acknowledged);

    IBenchConsumer CreateConsumer(BenchSettings settings);
}

/// <summary>Sends messages, batching as configured, and reports each acknowledgement.</summary>
internal interface IBenchProducer : IAsyncDisposable
{
    /// <summary>Queues one message (copied before return); <paramref name="scheduled"/> comes back in the acknowledgement.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> payload, long scheduled, CancellationToken cancellationToken);

    /// <summary>Sends what is queued and waits for every acknowledgement.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>Reads a topic from the beginning of every partition.</summary>
internal interface IBenchConsumer : IAsyncDisposable
{
    /// <summary>
    /// Calls <paramref name="received"/> with each message's first 8 bytes (the send stamp), until <paramref name="count"/>
    /// arrived. <paramref name="ready"/> is set once it is fetching, so latency runs do not count its start-up.
    /// </summary>
    Task ConsumeAsync(string topic, int partitions, long count, Action<long> received, TaskCompletionSource ready, CancellationToken cancellationToken);
}
