using Herald.Testing;

namespace Herald.Storage.Tests;

/// <summary>
/// A log on a real file system that fills up. Regression: the first failed write stopped the log for good, so data
/// acknowledged before it could no longer be read, and appends stayed refused after space came back.
/// </summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly SmallFileSystem? _disk;

    public FullDiskTests()
    {
        if (SmallFileSystem.CannotMount is null)
        {
            _disk = SmallFileSystem.Mount(megabytes: 8);
        }
    }

    public void Dispose() => _disk?.Dispose();

    [NeedsRootFact]
    public async Task A_full_disk_refuses_appends_keeps_what_was_durable_readable_and_recovers_when_space_returns()
    {
        var directory = Path.Combine(_disk!.Path, "orders-0");
        var options = LogOptions.Default with { RecoveryPointInterval = TimeSpan.Zero, FlushPolicy = FlushPolicy.EveryInterval(TimeSpan.FromHours(1)) };
        using var log = PartitionLog.Open(directory, options);
        for (var i = 0; i < 20; i++)
        {
            log.Append(TestBatches.Make(100, valueSize: 1000));
        }

        // Synced after the disk filled: the data is durable, but the recovery point beside it cannot be written.
        _disk.Fill();
        await log.FlushAsync();
        var acknowledged = log.DurableEndOffset;
        Assert.Equal(2000, acknowledged);

        var failures = 0;
        for (var i = 0; i < 50; i++)
        {
            try
            {
                log.Append(TestBatches.Make(100, valueSize: 1000));
            }
            catch (IOException)
            {
                failures++;
            }
        }

        Assert.True(failures > 0, "the disk never filled");
        Assert.Equal(Enumerable.Range(0, (int)acknowledged).Select(i => (long)i), TestBatches.ReadAll(log, 0).Take((int)acknowledged).Select(r => r.Offset));
        Assert.Equal(50, log.FindOffsetByTimestamp(TestBatches.BaseTime + 50));

        _disk.FreeSpace();
        var after = log.Append(TestBatches.Make(3));
        await log.FlushAsync();
        Assert.Equal(after.NextOffset, log.DurableEndOffset);
        Assert.Equal(after.NextOffset, TestBatches.ReadAll(log, 0).Count);
    }

    [NeedsRootFact]
    public async Task A_log_closed_on_a_full_disk_reopens_with_everything_that_was_acknowledged()
    {
        var directory = Path.Combine(_disk!.Path, "orders-0");
        long acknowledged;
        using (var log = PartitionLog.Open(directory))
        {
            acknowledged = (await log.AppendAsync(TestBatches.Make(500, valueSize: 1000))).NextOffset;
            _disk.Fill();
            await Assert.ThrowsAnyAsync<IOException>(async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await log.AppendAsync(TestBatches.Make(100, valueSize: 1000));
                }
            });
        }

        _disk.FreeSpace();
        using var reopened = PartitionLog.Open(directory);
        Assert.True(reopened.LogEndOffset >= acknowledged);
        Assert.Equal(reopened.LogEndOffset, TestBatches.ReadAll(reopened, 0).Count);
    }
}
