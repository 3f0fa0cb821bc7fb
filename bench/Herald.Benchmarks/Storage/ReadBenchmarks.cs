using System.Buffers;
using BenchmarkDotNet.Attributes;
using Herald.Storage;

namespace Herald.Benchmarks.Storage;

/// <summary>
/// Sequential reads of sealed data (already in the page cache, as for a consumer catching up), 1 MiB per read.
/// One operation reads the whole 256 MiB log; MB/s = 256 / mean seconds.
/// </summary>
[MemoryDiagnoser]
public class ReadBenchmarks
{
    public const long LogBytes = 256L * 1024 * 1024;
    private readonly ArrayBufferWriter<byte> _buffer = new(2 * 1024 * 1024);
    private string _directory = "";
    private PartitionLog _log = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = StorageBenchmarkData.NewDirectory("read");
        var options = LogOptions.Default with { SegmentBytes = 64L * 1024 * 1024, FlushPolicy = FlushPolicy.UnsafeNoForce };
        using (var writer = PartitionLog.Open(_directory, options))
        {
            var batch = StorageBenchmarkData.Batch(100, 1024);
            while (writer.SizeInBytes < LogBytes)
            {
                writer.Append(batch);
            }
        }

        _log = PartitionLog.Open(_directory, options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public long ReadEverything()
    {
        var offset = _log.LogStartOffset;
        long bytes = 0;
        while (offset < _log.LogEndOffset)
        {
            _buffer.ResetWrittenCount();
            var result = _log.Read(offset, 1024 * 1024, _buffer);
            var batches = _buffer.WrittenSpan;
            while (!batches.IsEmpty)
            {
                var header = RecordBatchHeader.Read(batches);
                offset = header.NextOffset;
                batches = batches[header.TotalSize..];
            }

            bytes += result.BytesWritten;
        }

        return bytes;
    }
}
