using BenchmarkDotNet.Attributes;
using Herald.Storage;

namespace Herald.Benchmarks.Storage;

/// <summary>
/// 16 concurrent appenders, each appending batches of 100 records of 1 KiB to one partition on the real disk.
/// One operation is one appended batch (102,961 bytes); MB/s = batch bytes / time per operation.
/// </summary>
[MemoryDiagnoser]
public class AppendBenchmarks
{
    private const int Appenders = 16;
    private const int BatchesPerAppender = 256;
    private readonly byte[][] _batches = new byte[Appenders][];
    private string _directory = "";
    private PartitionLog _log = null!;

    [Params(FlushMode.Always, FlushMode.Interval)]
    public FlushMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = StorageBenchmarkData.NewDirectory("append");
        var policy = Mode == FlushMode.Always ? FlushPolicy.Always : FlushPolicy.EveryInterval(TimeSpan.FromMilliseconds(100));
        // Small segments and a retention limit, applied after every invocation as a broker's retention task would,
        // give the steady state: old segments (and their pooled index memory) are recycled as new ones fill.
        _log = PartitionLog.Open(_directory, LogOptions.Default with { FlushPolicy = policy, RetentionBytes = 256L * 1024 * 1024, SegmentBytes = 32L * 1024 * 1024 });
        for (var i = 0; i < Appenders; i++)
        {
            _batches[i] = StorageBenchmarkData.Batch(100, 1024);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Appenders * BatchesPerAppender)]
    public async Task ConcurrentAppend()
    {
        var appenders = new Task[Appenders];
        for (var i = 0; i < Appenders; i++)
        {
            appenders[i] = AppendManyAsync(_batches[i]);
        }

        await Task.WhenAll(appenders);
        _log.ApplyRetention();
    }

    private async Task AppendManyAsync(byte[] batch)
    {
        await Task.Yield();
        for (var i = 0; i < BatchesPerAppender; i++)
        {
            await _log.AppendAsync(batch);
        }
    }
}
