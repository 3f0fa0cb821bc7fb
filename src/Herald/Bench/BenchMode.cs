namespace Herald.Cli.Bench;

/// <summary>The three kinds of run.</summary>
internal enum BenchMode
{
    /// <summary>Producers send; throughput and acknowledgement latency.</summary>
    Produce,

    /// <summary>The topic is filled first, then read from the beginning: catch-up throughput.</summary>
    Consume,

    /// <summary>A consumer reads while producers send; latency from send to receipt.</summary>
    E2E,
}
