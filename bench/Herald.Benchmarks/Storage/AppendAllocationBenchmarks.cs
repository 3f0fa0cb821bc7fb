using BenchmarkDotNet.Attributes;
using Herald.Storage;

namespace Herald.Benchmarks.Storage;

/// <summary>Allocations of one append on its own, steady state, with and without waiting for durability.</summary>
[MemoryDiagnoser]
public class AppendAllocationBenchmarks
{
    private byte[] _batch = [];
    private string _directory = "";
    private PartitionLog _log = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = StorageBenchmarkData.NewDirectory("alloc");
        _log = PartitionLog.Open(_directory, LogOptions.Default with { RetentionBytes = 512L * 1024 * 1024, SegmentBytes = 64L * 1024 * 1024 });
        _batch = StorageBenchmarkData.Batch(10, 100);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationCleanup]
    public void KeepDiskBounded() => _log.ApplyRetention();

    [Benchmark]
    public AppendResult Append() => _log.Append(_batch);

    [Benchmark]
    public ValueTask<AppendResult> AppendDurable() => _log.AppendAsync(_batch);

    /// <summary>Durable appends awaited from an async method, as a broker's request handler would.</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public async Task AppendDurableAwaited()
    {
        for (var i = 0; i < 100; i++)
        {
            await _log.AppendAsync(_batch);
        }
    }
}
