using Herald.Storage;

namespace Herald.Benchmarks.Storage;

internal static class StorageBenchmarkData
{
    public static byte[] Batch(int records, int valueSize)
    {
        var random = new Random(42);
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default);
        for (var i = 0; i < records; i++)
        {
            var value = new byte[valueSize];
            random.NextBytes(value);
            builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, value);
        }

        return builder.ToArray();
    }

    public static string NewDirectory(string name)
    {
        // HERALD_BENCH_DIR picks the disk under test; bench/physical-limits.sh measures the same directory.
        var path = Path.Combine(Environment.GetEnvironmentVariable("HERALD_BENCH_DIR") ?? Path.GetTempPath(), "herald-bench", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
