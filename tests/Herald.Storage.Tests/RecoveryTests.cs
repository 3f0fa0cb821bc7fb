using System.Buffers;

namespace Herald.Storage.Tests;

/// <summary>Fault injection on real files: what recovery keeps, cuts and refuses after crashes and damage.</summary>
public sealed class RecoveryTests : IDisposable
{
    // The recovery point records how far data is known to be synced: damage before it is corruption, after it a torn tail.
    // Crash tests pin it down: "Unsynced" keeps it at the start of the log, "Synced" moves it after every flush.
    private static readonly LogOptions Unsynced = LogOptions.Default with { RecoveryPointInterval = TimeSpan.FromDays(1) };
    private static readonly LogOptions Synced = LogOptions.Default with { RecoveryPointInterval = TimeSpan.Zero };

    private readonly TempDirectory _temp = new();

    private string Dir => _temp.Combine("payments-3");

    private string SegmentPath(long baseOffset) => Path.Combine(Dir, $"{baseOffset:D20}.log");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_torn_tail_is_truncated_to_the_last_complete_batch()
    {
        var sizes = WriteAndAbandon(5);
        TruncateBy(SegmentPath(0), 10);

        using var log = PartitionLog.Open(Dir);

        Assert.Equal(4 * 3, log.LogEndOffset);
        Assert.Equal(sizes.Take(4).Sum(), new FileInfo(SegmentPath(0)).Length);
        Assert.Equal(12, log.Append(TestBatches.Make(3)).BaseOffset);
        Assert.Equal(15, TestBatches.ReadAll(log, 0).Count);
    }

    [Fact]
    public void Zeros_left_after_the_last_batch_by_a_crash_are_truncated()
    {
        var sizes = WriteAndAbandon(3);
        AppendBytes(SegmentPath(0), new byte[4096]);

        using var log = PartitionLog.Open(Dir);

        Assert.Equal(9, log.LogEndOffset);
        Assert.Equal(sizes.Sum(), new FileInfo(SegmentPath(0)).Length);
    }

    [Fact]
    public void A_flipped_bit_in_the_tail_batch_cuts_only_that_batch()
    {
        var sizes = WriteAndAbandon(4);
        FlipBit(SegmentPath(0), sizes.Sum() - 5);

        using var log = PartitionLog.Open(Dir);

        Assert.Equal(9, log.LogEndOffset);
        Assert.Equal(9, TestBatches.ReadAllHeaders(log).Sum(h => h.RecordCount));
    }

    [Fact]
    public void A_flipped_bit_in_synced_data_of_the_active_segment_stops_the_log()
    {
        var sizes = WriteAndAbandon(5, Synced);
        var damagedBatch = sizes[0] + sizes[1];
        FlipBit(SegmentPath(0), damagedBatch + 70);

        var error = Assert.Throws<CorruptLogException>(() => PartitionLog.Open(Dir));

        Assert.Equal(SegmentPath(0), error.FilePath);
        Assert.Equal(damagedBatch, error.Position);
        Assert.Equal(sizes.Sum(), new FileInfo(SegmentPath(0)).Length);
    }

    [Fact]
    public void A_damaged_length_field_in_synced_data_is_not_mistaken_for_a_torn_tail()
    {
        var sizes = WriteAndAbandon(5, Synced);
        FlipBit(SegmentPath(0), sizes[0] + 9);

        var error = Assert.Throws<CorruptLogException>(() => PartitionLog.Open(Dir));

        Assert.Equal(sizes[0], error.Position);
    }

    [Fact]
    public void Synced_data_that_vanished_at_a_batch_boundary_stops_the_log()
    {
        var sizes = WriteAndAbandon(5, Synced);
        TruncateBy(SegmentPath(0), sizes[4]);

        var error = Assert.Throws<CorruptLogException>(() => PartitionLog.Open(Dir));

        Assert.Equal(sizes[..4].Sum(), error.Position);
    }

    [Fact]
    public void A_torn_header_claiming_a_two_gigabyte_batch_is_cut_like_any_torn_tail()
    {
        var sizes = WriteAndAbandon(2);
        var header = TestBatches.Make(1)[..61];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), 0x7FFFFFF4);
        AppendBytes(SegmentPath(0), header);

        using var log = PartitionLog.Open(Dir);

        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(sizes.Sum(), new FileInfo(SegmentPath(0)).Length);
    }

    [Fact]
    public void A_two_gigabyte_length_in_a_sealed_segment_is_reported_as_corruption()
    {
        var batch = TestBatches.Make(3, valueSize: 200);
        var options = LogOptions.Default with { SegmentBytes = batch.Length * 3 };
        WriteAndClose(6, options);
        using (var stream = new FileStream(SegmentPath(0), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            stream.Position = batch.Length + 8;
            stream.Write([0x7F, 0xFF, 0xFF, 0xF4]);
        }

        var error = Assert.Throws<CorruptLogException>(() => PartitionLog.Open(Dir, options));

        Assert.Equal(batch.Length, error.Position);
    }

    [Fact]
    public void A_damaged_header_in_a_sealed_segment_stops_the_partition_naming_file_and_position()
    {
        // Dense indexes, so opening checks only the last batch of each segment and the damage is met on the read path.
        var batch = TestBatches.Make(3, valueSize: 200);
        var options = LogOptions.Default with { SegmentBytes = batch.Length * 3, IndexIntervalBytes = 100 };
        WriteAndClose(9, options);
        FlipBit(SegmentPath(0), batch.Length + 16);

        using var log = PartitionLog.Open(Dir, options);
        var error = Assert.Throws<CorruptLogException>(() => log.Read(0, 1024 * 1024, new ArrayBufferWriter<byte>()));

        Assert.Equal(SegmentPath(0), error.FilePath);
        Assert.Equal(batch.Length, error.Position);
        var again = Assert.Throws<CorruptLogException>(() => log.Append(TestBatches.Make(1)));
        Assert.Same(error, again);
    }

    [Fact]
    public void A_flipped_bit_in_a_sealed_segment_is_found_when_its_missing_index_is_rebuilt()
    {
        var batch = TestBatches.Make(3, valueSize: 200);
        WriteAndClose(9, LogOptions.Default with { SegmentBytes = batch.Length * 3 });
        File.Delete(Path.ChangeExtension(SegmentPath(0), ".index"));
        FlipBit(SegmentPath(0), batch.Length + 100);

        var error = Assert.Throws<CorruptLogException>(() => PartitionLog.Open(Dir));

        Assert.Equal(SegmentPath(0), error.FilePath);
        Assert.Equal(batch.Length, error.Position);
    }

    [Fact]
    public void Verify_finds_a_flipped_bit_that_opening_does_not_look_for()
    {
        var batch = TestBatches.Make(3, valueSize: 200);
        var options = LogOptions.Default with { SegmentBytes = batch.Length * 3, IndexIntervalBytes = 100 };
        WriteAndClose(9, options);
        FlipBit(SegmentPath(0), batch.Length + 150);

        using var log = PartitionLog.Open(Dir, options);
        var error = Assert.Throws<CorruptLogException>(log.Verify);

        Assert.Equal(SegmentPath(0), error.FilePath);
        Assert.Equal(batch.Length, error.Position);
        Assert.Contains("CRC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_passes_on_an_intact_log()
    {
        var options = LogOptions.Default with { SegmentBytes = 4096 };
        WriteAndClose(20, options);

        using var log = PartitionLog.Open(Dir, options);
        log.Verify();

        Assert.Equal(60, log.LogEndOffset);
        Assert.True(log.SegmentCount > 2);
    }

    [Fact]
    public void A_truncated_sealed_segment_stops_the_partition()
    {
        var batch = TestBatches.Make(3, valueSize: 200);
        WriteAndClose(9, LogOptions.Default with { SegmentBytes = batch.Length * 3 });
        TruncateBy(SegmentPath(0), 100);

        var error = Assert.Throws<CorruptLogException>(() => PartitionLog.Open(Dir));

        Assert.Equal(SegmentPath(0), error.FilePath);
        Assert.Equal(batch.Length * 2, error.Position);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("odd-length")]
    [InlineData("wrong-positions")]
    [InlineData("empty")]
    public void Missing_or_damaged_indexes_are_rebuilt(string damage)
    {
        var options = LogOptions.Default with { SegmentBytes = 20_000, IndexIntervalBytes = 300 };
        WriteAndClose(60, options, valueSize: 150);
        var index = Path.ChangeExtension(SegmentPath(0), ".index");
        var timeIndex = Path.ChangeExtension(SegmentPath(0), ".timeindex");
        var original = File.ReadAllBytes(index);
        Assert.NotEmpty(original);
        switch (damage)
        {
            case "missing":
                File.Delete(index);
                File.Delete(timeIndex);
                break;
            case "odd-length":
                File.WriteAllBytes(index, original[..^3]);
                break;
            case "wrong-positions":
                var shifted = original.ToArray();
                shifted[^1] ^= 0x04;
                File.WriteAllBytes(index, shifted);
                break;
            case "empty":
                File.WriteAllBytes(timeIndex, [1, 2, 3]);
                break;
        }

        using var log = PartitionLog.Open(Dir, options);

        Assert.Equal(original, File.ReadAllBytes(index));
        Assert.Equal(180, TestBatches.ReadAll(log, 0).Count);
        Assert.Equal(93, TestBatches.ReadAll(log, 93)[0].Offset);
        Assert.Equal(31 * 3, log.FindOffsetByTimestamp(TestBatches.BaseTime + (31 * 10)));
    }

    [Fact]
    public void A_clean_shutdown_marker_that_does_not_match_the_files_is_not_trusted()
    {
        WriteAndClose(4, LogOptions.Default);
        AppendBytes(SegmentPath(0), TestBatches.Make(2).AsSpan(0, 50));

        using var log = PartitionLog.Open(Dir);

        Assert.Equal(12, log.LogEndOffset);
        Assert.Equal(12, TestBatches.ReadAll(log, 0).Count);
    }

    [Fact]
    public async Task A_torn_tail_in_a_rolled_segment_drops_the_segments_after_it()
    {
        // A crash just after a roll, before the old segment reached the disk: its tail is torn and the new one holds garbage.
        var batch = TestBatches.Make(3, valueSize: 200);
        var options = LogOptions.Default with { SegmentBytes = batch.Length * 2, FlushPolicy = FlushPolicy.UnsafeNoForce };
        var log = PartitionLog.Open(Dir, options);
        for (var i = 0; i < 3; i++)
        {
            log.Append(batch.ToArray());
        }

        await log.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        File.WriteAllText(Path.Combine(Dir, "recovery-point"), $"1 0 {batch.Length}\n");
        TruncateBy(SegmentPath(0), 20);
        File.WriteAllBytes(SegmentPath(6), new byte[100]);

        using var reopened = PartitionLog.Open(Dir, options);

        Assert.Equal(3, reopened.LogEndOffset);
        Assert.False(File.Exists(SegmentPath(6)));
        Assert.Equal(3, reopened.Append(batch.ToArray()).BaseOffset);
    }

    [Fact]
    public void Leftover_temporary_and_orphan_index_files_are_removed()
    {
        WriteAndClose(2, LogOptions.Default);
        File.WriteAllText(Path.Combine(Dir, "recovery-point.tmp"), "junk");
        File.WriteAllBytes(Path.Combine(Dir, "00000000000000000999.index"), new byte[8]);

        using var log = PartitionLog.Open(Dir);

        Assert.False(File.Exists(Path.Combine(Dir, "recovery-point.tmp")));
        Assert.False(File.Exists(Path.Combine(Dir, "00000000000000000999.index")));
        Assert.Equal(6, log.LogEndOffset);
    }

    [Fact]
    public async Task Acknowledged_appends_survive_power_cuts_with_torn_writes()
    {
        var fileSystem = new MemoryFileSystem();
        var random = new Random(1234);
        var acknowledged = 0L;
        var options = LogOptions.Default with { SegmentBytes = 8 * 1024, IndexIntervalBytes = 256 };
        for (var cut = 0; cut < 30; cut++)
        {
            var log = PartitionLog.Open("/power/p0", options, fileSystem);
            Assert.True(log.LogEndOffset >= acknowledged, $"cut {cut}: {log.LogEndOffset} < {acknowledged} acknowledged");
            Assert.Equal(log.LogEndOffset, TestBatches.ReadAllHeaders(log).Sum(h => (long)h.RecordCount));
            acknowledged = log.LogEndOffset;

            for (var i = 0; i < random.Next(1, 20); i++)
            {
                var result = await log.AppendAsync(TestBatches.Make(random.Next(1, 6), valueSize: random.Next(1, 500))).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
                acknowledged = result.NextOffset;
            }

            // Appends that were written but never acknowledged as durable may or may not survive.
            for (var i = 0; i < random.Next(0, 5); i++)
            {
                log.Append(TestBatches.Make(2));
            }

            fileSystem = fileSystem.SimulatePowerLoss(random);
        }
    }

    [Fact]
    public async Task Unflushed_appends_under_the_unsafe_policy_are_lost_cleanly_on_power_cut()
    {
        var fileSystem = new MemoryFileSystem();
        var options = LogOptions.Default with { FlushPolicy = FlushPolicy.UnsafeNoForce };
        var log = PartitionLog.Open("/power/p1", options, fileSystem);
        log.Append(TestBatches.Make(3));
        await log.FlushAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        log.Append(TestBatches.Make(3));

        var survivor = fileSystem.SimulatePowerLoss(new Random(5));

        using var reopened = PartitionLog.Open("/power/p1", options, survivor);
        Assert.InRange(reopened.LogEndOffset, 3, 6);
        Assert.Equal(reopened.LogEndOffset, TestBatches.ReadAllHeaders(reopened).Sum(h => (long)h.RecordCount));
    }

    private int[] WriteAndAbandon(int batches, LogOptions? options = null)
    {
        // Never disposed: the process "dies" with the log open, so the next open is an unclean one.
        var log = PartitionLog.Open(Dir, options ?? Unsynced);
        var sizes = new int[batches];
        for (var i = 0; i < batches; i++)
        {
            var batch = TestBatches.Make(3, valueSize: 100, tag: $"b{i}");
            sizes[i] = batch.Length;
            Assert.True(log.AppendAsync(batch).AsTask().Wait(TimeSpan.FromSeconds(30)));
        }

        return sizes;
    }

    private void WriteAndClose(int batches, LogOptions options, int valueSize = 200)
    {
        using var log = PartitionLog.Open(Dir, options);
        for (var i = 0; i < batches; i++)
        {
            log.Append(TestBatches.Make(3, valueSize: valueSize, timestamp: TestBatches.BaseTime + (i * 10)));
        }
    }

    private static void AppendBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(0, SeekOrigin.End);
        stream.Write(bytes);
    }

    private static void TruncateBy(string path, int bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.SetLength(stream.Length - bytes);
    }

    private static void FlipBit(string path, long position)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        stream.Position = position;
        var value = stream.ReadByte();
        stream.Position = position;
        stream.WriteByte((byte)(value ^ 0x01));
    }
}
