namespace Herald.Cli.Bench;

/// <summary>Reads a topic from the beginning of every partition.</summary>
internal interface IBenchConsumer : IAsyncDisposable
{
    /// <summary>
    /// Calls <paramref name="received"/> with each message's first 8 bytes (the send stamp), until <paramref name="count"/>
    /// arrived. <paramref name="ready"/> is set once it is fetching, so latency runs do not count its start-up.
    /// </summary>
    Task ConsumeAsync(string topic, int partitions, long count, Action<long> received, TaskCompletionSource ready, CancellationToken cancellationToken);
}
