using BenchmarkDotNet.Attributes;
using Herald.Storage;

namespace Herald.Benchmarks.Storage;

/// <summary>
/// What checking a produced batch costs, on a 1 MiB batch: the header and CRC alone (what was checked before records were
/// walked), the whole check with every record walked, and the same for a gzip batch, beside copying the batch once (the
/// floor for touching every byte, which an append does anyway).
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private byte[] _batch = [];
    private byte[] _gzip = [];
    private byte[] _copy = [];

    /// <summary>Bytes per record value: 100 B, as in the throughput goals, and 1 KiB.</summary>
    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var records = (1024 * 1024 - 1024) / (ValueSize + 8);
        _batch = StorageBenchmarkData.Batch(records, ValueSize);
        _gzip = Compressed(records);
        _copy = new byte[_batch.Length];
    }

    [Benchmark(Baseline = true)]
    public void Copy() => _batch.CopyTo(_copy, 0);

    [Benchmark]
    public BatchError HeaderAndCrc() => BatchValidator.ValidateContents(_batch);

    [Benchmark]
    public BatchError EveryRecord() => BatchValidator.ValidateRecordSet(_batch, int.MaxValue);

    [Benchmark]
    public BatchError EveryRecordGzip() => BatchValidator.ValidateRecordSet(_gzip, int.MaxValue);

    private byte[] Compressed(int records)
    {
        var random = new Random(42);
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = CompressionType.Gzip });
        for (var i = 0; i < records; i++)
        {
            var value = new byte[ValueSize];
            random.NextBytes(value.AsSpan(0, ValueSize / 4)); // compressible, as real payloads are
            builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, value);
        }

        return builder.ToArray();
    }
}
