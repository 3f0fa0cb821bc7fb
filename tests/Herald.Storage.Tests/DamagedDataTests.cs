using System.Buffers;
using Herald.Storage.Internal;
using Herald.Storage.Tests.Support;

namespace Herald.Storage.Tests;

/// <summary>
/// Batches already on disk that a produce today would refuse, as an older version or a flipped bit leaves them: lookups
/// answer in bounded memory, and the partition stays readable and writable around them.
/// </summary>
public sealed class DamagedDataTests : IDisposable
{
    private const long Time = TestBatches.BaseTime;
    private readonly TempDirectory _temp = new();

    private string Directory => _temp.Combine("orders-0");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_timestamp_lookup_over_a_stored_gzip_bomb_answers_in_bounded_memory()
    {
        // Regression: each lookup inflated the bomb up to the 64 MiB limit into pooled buffers that stayed in the pool.
        var bomb = Batches.Build(RecordBatchOptions.Default with { Compression = CompressionType.Gzip }, [new(Time + 10, null, new byte[200 * 1024 * 1024])]);
        StoreUnchecked(TestBatches.Make(3), bomb);
        using var log = PartitionLog.Open(Directory);
        Assert.Equal(4, log.LogEndOffset);

        var held = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(3, log.FindOffsetByTimestamp(Time + 10));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = log.FindByTimestamp(Time + 5);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var kept = GC.GetTotalMemory(forceFullCollection: true) - held;

        Assert.Equal(3, found?.Offset);
        Assert.True(allocated < 2 * 1024 * 1024, $"{allocated} bytes allocated by a lookup over the bomb");
        Assert.True(kept < 8 * 1024 * 1024, $"{kept} bytes still held after two lookups over the bomb");
        Assert.Equal(0, DecompressionBudget.Shared.InUse);
    }

    [Fact]
    public void A_lookup_meeting_a_batch_with_a_bad_crc_answers_and_leaves_the_partition_working()
    {
        // Regression: the CRC mismatch stopped the whole partition, so every read and append failed until a restart.
        using (var writing = PartitionLog.Open(Directory))
        {
            Assert.True(writing.Append(TestBatches.Make(3)).Succeeded);
            Assert.True(writing.Append(TestBatches.Make(2, timestamp: Time + 10)).Succeeded);
        }

        FlipLastByte(LogFileNames.Segment(Directory, 0)); // after a clean close the open trusts the file, as it should
        using var log = PartitionLog.Open(Directory);

        var found = log.FindByTimestamp(Time + 11);

        Assert.Equal(3, found?.Offset);
        Assert.Equal(ReadStatus.Ok, log.Read(0, 1024 * 1024, new ArrayBufferWriter<byte>()).Status);
        Assert.True(log.Append(TestBatches.Make(1, timestamp: Time + 20)).Succeeded);
        Assert.Equal(5, log.FindOffsetByTimestamp(Time + 20));
    }

    private static void FlipLastByte(string path)
    {
        using var file = new FileStream(path, FileMode.Open);
        file.Position = file.Length - 1;
        var last = file.ReadByte();
        file.Position = file.Length - 1;
        file.WriteByte((byte)(last ^ 0xFF));
    }

    [Fact]
    public void A_damaged_batch_is_stepped_over_only_when_its_header_can_be_trusted()
    {
        var first = TestBatches.Make(2);
        var second = TestBatches.Make(3);
        RecordBatchHeader.SetBaseOffset(second, 2);
        first[^1] ^= 0xFF; // the CRC no longer matches; the header still agrees with itself and with the next batch
        var reader = new RecordBatchReader((byte[])[.. first, .. second]);

        Assert.Throws<InvalidRecordBatchException>(() => reader.TryReadNext(out _));
        Assert.Equal(2, reader.SkipDamaged()?.NextOffset);
        Assert.True(reader.TryReadNext(out var after));
        Assert.Equal(2, after.Records[0].Offset);

        // Its last offset delta damaged too: following it would skip records of the next batch, so reading stops.
        var lying = (byte[])first.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(lying.AsSpan(23), 500);
        var stopped = new RecordBatchReader((byte[])[.. lying, .. second]);
        Assert.Throws<InvalidRecordBatchException>(() => stopped.TryReadNext(out _));
        Assert.Null(stopped.SkipDamaged());
    }

    /// <summary>Lays batches into a segment as they are, without the checks a produce makes, then leaves it to be recovered.</summary>
    private void StoreUnchecked(params byte[][] batches)
    {
        using (PartitionLog.Open(Directory))
        {
        }

        var offset = 0L;
        using var segment = new FileStream(LogFileNames.Segment(Directory, 0), FileMode.Append);
        foreach (var batch in batches)
        {
            RecordBatchHeader.SetBaseOffset(batch, offset);
            offset = RecordBatchHeader.Read(batch).NextOffset;
            segment.Write(batch);
        }

        File.Delete(Path.Combine(Directory, LogFileNames.CleanShutdown)); // as after a crash: the open scans what follows
    }
}
