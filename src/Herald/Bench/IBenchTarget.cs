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
