using System.Diagnostics;
using System.Globalization;

namespace Herald.Storage.Tests;

/// <summary>
/// A child process appends with <see cref="FlushMode.Always"/> and reports each completed append; it is killed with SIGKILL
/// at random moments, over and over. Every reported append must then be in the reopened log, intact, at its offset.
/// </summary>
public sealed class CrashTests
{
    private const int SegmentBytes = 1024 * 1024;

    [Fact]
    public async Task Every_acknowledged_append_survives_repeated_SIGKILL()
    {
        using var temp = new TempDirectory();
        var directory = temp.Combine("crash-0");
        var reported = new Dictionary<long, (int Records, uint Crc)>();
        var random = new Random(20261126);

        for (var round = 0; round < 20; round++)
        {
            var lines = await RunChildUntilKilledAsync(directory, round, TimeSpan.FromMilliseconds(random.Next(0, 700)));
            foreach (var line in lines)
            {
                var parts = line.Split(' ');
                var offset = long.Parse(parts[0], CultureInfo.InvariantCulture);
                Assert.True(reported.TryAdd(offset, (int.Parse(parts[1], CultureInfo.InvariantCulture), uint.Parse(parts[2], CultureInfo.InvariantCulture))), $"offset {offset} was acknowledged twice");
            }

            // This open is the recovery after SIGKILL; closing it cleanly lets the next child start from a checked log.
            using var log = PartitionLog.Open(directory, LogOptions.Default with { SegmentBytes = SegmentBytes, IndexIntervalBytes = 512 });
            var stored = new Dictionary<long, RecordBatchHeader>();
            var expectedNext = 0L;
            foreach (var header in TestBatches.ReadAllHeaders(log))
            {
                Assert.Equal(expectedNext, header.BaseOffset);
                expectedNext = header.NextOffset;
                stored.Add(header.BaseOffset, header);
            }

            Assert.Equal(log.LogEndOffset, expectedNext);
            foreach (var (offset, (records, crc)) in reported)
            {
                Assert.True(stored.TryGetValue(offset, out var header), $"round {round}: acknowledged batch at offset {offset} is missing (log ends at {log.LogEndOffset})");
                Assert.Equal(records, header.RecordCount);
                Assert.Equal(crc, header.Crc);
            }
        }

        Assert.True(reported.Count >= 50, $"only {reported.Count} appends were acknowledged; the children barely ran");
    }

    private static async Task<List<string>> RunChildUntilKilledAsync(string directory, int seed, TimeSpan runFor)
    {
        var start = new ProcessStartInfo(Herald.Testing.DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Herald.Storage.CrashChild.dll"));
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(SegmentBytes.ToString(CultureInfo.InvariantCulture));

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
        var errors = child.StandardError.ReadToEndAsync();
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
            }
        });

        // Half the rounds wait for the child to be appending; the others may kill it while it opens and recovers.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (seed % 2 == 0 && lines.IsEmpty && !child.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(runFor);
        if (child.HasExited)
        {
            Assert.Fail($"the crash child exited on its own with code {child.ExitCode}: {await errors}");
        }

        child.Kill(); // SIGKILL on Unix: no finalizers, no flush, no clean close.
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        return [.. lines];
    }
}
