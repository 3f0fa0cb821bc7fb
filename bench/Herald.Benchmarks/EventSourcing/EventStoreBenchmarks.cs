using System.Text;
using BenchmarkDotNet.Attributes;
using Herald.EventSourcing;

namespace Herald.Benchmarks.EventSourcing;

/// <summary>
/// The embedded event store on real files: 16 writers each append one event at a time to streams of their own
/// (expected version checked, durable before acknowledged, so concurrent appends share fsyncs). Per event.
/// </summary>
[MemoryDiagnoser]
public class EventStoreBenchmarks
{
    private const int Writers = 16;
    private const int AppendsPerWriter = 500;
    private EmbeddedEventStore _store = null!;
    private string _directory = "";
    private long[] _versions = [];
    private int _round;
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Storage.StorageBenchmarkData.NewDirectory("events");
        _store = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = _directory });
        _body = Encoding.UTF8.GetBytes("{\"orderId\":\"o-1234567\",\"customerId\":\"c-42\",\"total\":129.90,\"currency\":\"EUR\"}");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Each round appends to new streams, so every append is the first of its stream (as in the goal).</summary>
    [Benchmark(OperationsPerInvoke = Writers * AppendsPerWriter)]
    public Task AppendToDistinctStreams()
    {
        var round = _round++;
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < AppendsPerWriter; i++)
            {
                await _store.AppendAsync($"order-{round}-{writer}-{i}", ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "OrderPlaced.v1", _body)]);
            }
        })));
    }

    /// <summary>
    /// The same appends, but each writer keeps 8 in flight (as a service handling several requests at once does), so
    /// one fsync carries up to 128 of them rather than 16.
    /// </summary>
    [Benchmark(OperationsPerInvoke = Writers * AppendsPerWriter)]
    public Task AppendToDistinctStreams_EightInFlightPerWriter()
    {
        const int InFlight = 8;
        var round = _round++;
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < AppendsPerWriter; i += InFlight)
            {
                await Task.WhenAll(Enumerable.Range(i, InFlight).Select(j =>
                    _store.AppendAsync($"order-{round}-{writer}-{j}", ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "OrderPlaced.v1", _body)])));
            }
        })));
    }
}
