using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Herald.Storage;

namespace Herald.Broker.Tests;

/// <summary>
/// A child process runs the broker, producing idempotent batches with acks=all and committing group offsets; it is
/// killed with SIGKILL at random moments. Topics and configs, every acknowledged batch, every acknowledged commit and
/// the producer state (a retried batch is still a duplicate) must all survive.
/// </summary>
public sealed class BrokerCrashTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-broker-crash", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Everything_acknowledged_survives_SIGKILL()
    {
        var random = new Random(11_27);
        var batches = new HashSet<(int Partition, long Offset)>();
        var commits = new long[] { -1, -1 };
        for (var round = 0; round < 8; round++)
        {
            foreach (var line in await RunChildUntilKilledAsync(TimeSpan.FromMilliseconds(random.Next(50, 600))))
            {
                var parts = line.Split(' ');
                var partition = int.Parse(parts[1], CultureInfo.InvariantCulture);
                var offset = long.Parse(parts[2], CultureInfo.InvariantCulture);
                if (parts[0] == "A")
                {
                    Assert.True(batches.Add((partition, offset)), $"offset {offset} of partition {partition} was acknowledged twice");
                }
                else
                {
                    commits[partition] = Math.Max(commits[partition], offset);
                }
            }

            await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory }).WaitAsync(Timeout);
            var topic = broker.DescribeTopic("crash")!;
            Assert.Equal(2, topic.Partitions);
            Assert.Equal("123456789", topic.Config.Effective["retention.ms"]);
            for (var partition = 0; partition < 2; partition++)
            {
                var stored = StoredBatches(broker, partition);
                Assert.All(batches.Where(b => b.Partition == partition), b => Assert.True(stored.ContainsKey(b.Offset), $"round {round}: acknowledged batch {partition}@{b.Offset} is missing"));
                Assert.True(broker.FetchOffsets("crash-group", [new TopicPartition("crash", partition)])[0].Offset >= commits[partition]);

                // The producer's last stored batch, sent again, is recognised as a duplicate after the crash.
                if (stored.Count > 0)
                {
                    var (lastOffset, lastBytes) = stored.MaxBy(s => s.Key);
                    var retry = await broker.ProduceAsync("crash", partition, lastBytes).AsTask().WaitAsync(Timeout);
                    Assert.Equal((ErrorCode.None, lastOffset), (retry.Error, retry.BaseOffset));
                }
            }
        }

        Assert.True(batches.Count >= 20, $"only {batches.Count} batches were acknowledged; the children barely ran");
        Assert.True(commits.Max() >= 0, "no commit was acknowledged");
    }

    private static Dictionary<long, byte[]> StoredBatches(HeraldBroker broker, int partition)
    {
        var stored = new Dictionary<long, byte[]>();
        var buffer = new ArrayBufferWriter<byte>();
        var offset = 0L;
        var end = broker.ListOffset("crash", partition, OffsetQuery.Latest).Offset;
        while (offset < end)
        {
            buffer.ResetWrittenCount();
            var fetched = broker.FetchAsync("crash", partition, offset, 1024 * 1024, buffer).AsTask().GetAwaiter().GetResult();
            Assert.Equal(ErrorCode.None, fetched.Error);
            for (var bytes = buffer.WrittenSpan; !bytes.IsEmpty;)
            {
                var header = RecordBatchHeader.Read(bytes);
                Assert.Equal(offset, header.BaseOffset);
                stored[header.BaseOffset] = bytes[..header.TotalSize].ToArray();
                offset = header.NextOffset;
                bytes = bytes[header.TotalSize..];
            }
        }

        return stored;
    }

    private async Task<List<string>> RunChildUntilKilledAsync(TimeSpan runFor)
    {
        var start = new ProcessStartInfo(Herald.Testing.DotnetHost.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Herald.Broker.CrashChild.dll"));
        start.ArgumentList.Add(_directory);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash child");
        var errors = child.StandardError.ReadToEndAsync();
        var lines = new ConcurrentQueue<string>();
        var reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
            }
        });

        var deadline = DateTime.UtcNow + Timeout;
        while (lines.IsEmpty && !child.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(runFor);
        if (child.HasExited)
        {
            Assert.Fail($"the crash child exited on its own with code {child.ExitCode}: {await errors}");
        }

        child.Kill();
        await child.WaitForExitAsync().WaitAsync(Timeout);
        await reading.WaitAsync(Timeout);
        return [.. lines];
    }
}
