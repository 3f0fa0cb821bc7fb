using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Storage.Tests;

/// <summary>What every partition log must do, whatever file system it lives on.</summary>
public abstract class PartitionLogBehaviour : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _temp = new();
    private readonly List<PartitionLog> _opened = [];

    protected PartitionLogBehaviour(ILogFileSystem fileSystem) => FileSystem = fileSystem;

    protected ILogFileSystem FileSystem { get; }

    protected string LogDirectory => _temp.Combine("orders-0");

    protected FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(TestBatches.BaseTime + 1000));

    public void Dispose()
    {
        foreach (var log in _opened)
        {
            log.Dispose();
        }

        _temp.Dispose();
    }

    protected PartitionLog Open(LogOptions? options = null)
    {
        var log = PartitionLog.Open(LogDirectory, options ?? LogOptions.Default, FileSystem, timeProvider: Clock);
        _opened.Add(log);
        return log;
    }

    [Fact]
    public async Task Appends_get_contiguous_offsets_and_read_back_byte_for_byte()
    {
        var log = Open();
        var first = TestBatches.Make(3, tag: "a");
        var second = TestBatches.Make(5, tag: "b");

        var a = await log.AppendAsync(first).AsTask().WaitAsync(Timeout);
        var b = await log.AppendAsync(second).AsTask().WaitAsync(Timeout);

        Assert.Equal((0, 2), (a.BaseOffset, a.LastOffset));
        Assert.Equal((3, 7), (b.BaseOffset, b.LastOffset));
        Assert.Equal(8, log.LogEndOffset);
        Assert.Equal(8, log.DurableEndOffset);

        var buffer = new ArrayBufferWriter<byte>();
        var read = log.Read(0, 1024 * 1024, buffer);
        Assert.Equal(ReadStatus.Ok, read.Status);
        Assert.Equal(first.Length + second.Length, read.BytesWritten);
        Assert.Equal([.. first, .. second], buffer.WrittenSpan.ToArray());
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(buffer.WrittenSpan[first.Length..]));
    }

    [Fact]
    public void Read_starting_inside_a_batch_returns_that_whole_batch()
    {
        var log = Open();
        log.Append(TestBatches.Make(10, tag: "a"));
        log.Append(TestBatches.Make(10, tag: "b"));

        var buffer = new ArrayBufferWriter<byte>();
        log.Read(15, 1024 * 1024, buffer);

        var header = RecordBatchHeader.Read(buffer.WrittenSpan);
        Assert.Equal(10, header.BaseOffset);
        Assert.Equal(header.TotalSize, buffer.WrittenCount);
    }

    [Fact]
    public void Read_returns_one_whole_batch_even_when_it_is_larger_than_max_bytes()
    {
        var log = Open();
        var big = TestBatches.Make(4, valueSize: 10_000);
        log.Append(big);
        log.Append(TestBatches.Make(1));

        var buffer = new ArrayBufferWriter<byte>();
        var result = log.Read(0, 100, buffer);

        Assert.Equal(big.Length, result.BytesWritten);
    }

    [Fact]
    public void Read_stops_at_max_bytes_on_a_batch_boundary()
    {
        var log = Open();
        var batch = TestBatches.Make(2, valueSize: 200);
        for (var i = 0; i < 10; i++)
        {
            log.Append(batch.ToArray());
        }

        var buffer = new ArrayBufferWriter<byte>();
        var result = log.Read(0, (batch.Length * 3) + (batch.Length / 2), buffer);

        Assert.Equal(batch.Length * 3, result.BytesWritten);
    }

    [Fact]
    public void Read_never_returns_batches_at_or_after_the_end_bound()
    {
        var log = Open();
        log.Append(TestBatches.Make(5));
        log.Append(TestBatches.Make(5));

        var buffer = new ArrayBufferWriter<byte>();
        var result = log.Read(0, 1024 * 1024, buffer, endOffset: 5);

        Assert.Equal(5, result.EndOffset);
        Assert.Equal(0, RecordBatchHeader.Read(buffer.WrittenSpan).BaseOffset);
        Assert.Equal(RecordBatchHeader.Read(buffer.WrittenSpan).TotalSize, result.BytesWritten);
        Assert.Equal(0, log.Read(5, 1024, new ArrayBufferWriter<byte>(), endOffset: 5).BytesWritten);
    }

    [Fact]
    public void Reads_outside_the_log_are_out_of_range_and_at_the_end_are_empty()
    {
        var log = Open();
        log.Append(TestBatches.Make(3));

        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(4, 1024, new ArrayBufferWriter<byte>()).Status);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(-1, 1024, new ArrayBufferWriter<byte>()).Status);
        var atEnd = log.Read(3, 1024, new ArrayBufferWriter<byte>());
        Assert.Equal((ReadStatus.Ok, 0), (atEnd.Status, atEnd.BytesWritten));
    }

    [Theory]
    [InlineData("crc", BatchError.CorruptCrc)]
    [InlineData("magic", BatchError.UnsupportedMagic)]
    [InlineData("length-long", BatchError.LengthMismatch)]
    [InlineData("length-short", BatchError.LengthMismatch)]
    [InlineData("truncated", BatchError.LengthMismatch)]
    [InlineData("header-only", BatchError.TooShort)]
    [InlineData("empty", BatchError.TooShort)]
    [InlineData("record-count", BatchError.InvalidRecordCount)]
    public void Invalid_batches_are_refused_with_a_typed_error_and_nothing_is_written(string damage, BatchError expected)
    {
        var log = Open();
        log.Append(TestBatches.Make(2));
        var sizeBefore = log.SizeInBytes;
        var batch = TestBatches.Make(3);
        var bytes = damage switch
        {
            "crc" => Flip(batch, batch.Length - 1),
            "magic" => Set(batch, 16, 1),
            "length-long" => WithLength(batch, batch.Length),
            "length-short" => WithLength(batch, 10),
            "truncated" => batch[..^1],
            "header-only" => batch[..40],
            "empty" => [],
            "record-count" => WithRecountedCrc(WithInt(batch, 57, 7)),
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };

        var result = log.Append(bytes);

        Assert.Equal(expected, result.Error);
        Assert.False(result.Succeeded);
        Assert.Equal(2, log.LogEndOffset);
        Assert.Equal(sizeBefore, log.SizeInBytes);
    }

    [Fact]
    public void A_batch_over_the_size_limit_is_refused_before_its_bytes_are_read()
    {
        var log = Open(LogOptions.Default with { MaxBatchBytes = 1000 });
        var result = log.Append(TestBatches.Make(20, valueSize: 100));
        Assert.Equal(BatchError.TooLarge, result.Error);

        // A length field claiming 2 GiB is refused as too large without allocating or reading that much.
        var lying = WithLength(TestBatches.Make(1), int.MaxValue - 12);
        Assert.Equal(BatchError.TooLarge, log.Append(lying).Error);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void A_record_count_the_bytes_cannot_hold_is_refused()
    {
        var log = Open();
        var batch = TestBatches.Make(3);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(23), (1 << 30) - 1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), 1 << 30);

        Assert.Equal(BatchError.InvalidRecordCount, log.Append(WithRecountedCrc(batch)).Error);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void A_compressed_batch_claiming_more_records_than_it_holds_is_refused()
    {
        // Regression: compressed batches were not decoded on append, so a claim of 2^30 records was stored as made.
        var log = Open();
        var claim = TestBatches.Make(1, compression: CompressionType.Gzip);
        BinaryPrimitives.WriteInt32BigEndian(claim.AsSpan(23), (1 << 30) - 1);
        BinaryPrimitives.WriteInt32BigEndian(claim.AsSpan(57), 1 << 30);
        WithRecountedCrc(claim);

        var refused = log.Append(claim);

        Assert.Equal(BatchError.MalformedRecords, refused.Error);
        Assert.Contains("record 1", refused.Problem);
        Assert.Equal(0, log.LogEndOffset);
    }

    [Fact]
    public void Using_a_closed_log_throws_ObjectDisposedException()
    {
        // Regression: a read after close used to retry forever on released segments and overflow the stack.
        var log = Open();
        log.Append(TestBatches.Make(2));
        log.Dispose();

        Assert.Throws<ObjectDisposedException>(() => log.Read(0, 1024, new ArrayBufferWriter<byte>()));
        Assert.Throws<ObjectDisposedException>(() => log.FindOffsetByTimestamp(0));
        Assert.Throws<ObjectDisposedException>(() => log.Append(TestBatches.Make(1)));
        Assert.Throws<ObjectDisposedException>(() => log.ApplyRetention());
    }

    [Fact]
    public void Several_batches_in_one_record_set_are_appended_together()
    {
        var log = Open();
        byte[] set = [.. TestBatches.Make(2, tag: "x"), .. TestBatches.Make(3, tag: "y")];

        var result = log.Append(set);

        Assert.Equal((0, 4), (result.BaseOffset, result.LastOffset));
        var headers = TestBatches.ReadAllHeaders(log);
        Assert.Equal([0L, 2L], headers.Select(h => h.BaseOffset));
        Assert.Equal(5, log.Append(TestBatches.Make(1, tag: "z")).BaseOffset);
        Assert.Equal(["y-1", "y-2", "z-0"], TestBatches.ReadAll(log, 3).Select(r => System.Text.Encoding.ASCII.GetString(r.Value!.Value.Span)[..3]));
    }

    [Fact]
    public void Segments_roll_by_size_and_are_named_by_base_offset_in_twenty_digits()
    {
        var batch = TestBatches.Make(10, valueSize: 100);
        var log = Open(LogOptions.Default with { SegmentBytes = batch.Length * 3 });
        for (var i = 0; i < 7; i++)
        {
            log.Append(batch.ToArray());
        }

        Assert.Equal(3, log.SegmentCount);
        var names = FileSystem.ListFiles(LogDirectory).Where(n => n.EndsWith(".log", StringComparison.Ordinal)).Order().ToArray();
        Assert.Equal(["00000000000000000000.log", "00000000000000000030.log", "00000000000000000060.log"], names);
        Assert.Equal(70, TestBatches.ReadAll(log, 0).Count);
    }

    [Fact]
    public void Segments_roll_by_age()
    {
        var log = Open(LogOptions.Default with { SegmentAge = TimeSpan.FromHours(1) });
        log.Append(TestBatches.Make(1));
        Clock.Advance(TimeSpan.FromMinutes(59));
        log.Append(TestBatches.Make(1));
        Assert.Equal(1, log.SegmentCount);

        Clock.Advance(TimeSpan.FromMinutes(2));
        log.Append(TestBatches.Make(1));

        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(3, TestBatches.ReadAll(log, 0).Count);
    }

    [Fact]
    public void The_format_version_is_recorded_and_a_newer_one_is_refused()
    {
        Open().Dispose();
        var marker = Path.Combine(LogDirectory, "herald-log.format");
        Assert.True(FileSystem.FileExists(marker));

        using (var file = FileSystem.OpenOrCreate(marker))
        {
            file.SetLength(0);
            file.Write(0, "1 2\n"u8);
        }

        var error = Assert.Throws<NotSupportedException>(() => Open());
        Assert.Contains("format version 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clean_close_and_reopen_keeps_every_record_and_continues_the_offsets()
    {
        var batch = TestBatches.Make(10, valueSize: 300);
        var log = Open(LogOptions.Default with { SegmentBytes = batch.Length * 2, IndexIntervalBytes = 256 });
        for (var i = 0; i < 5; i++)
        {
            log.Append(batch.ToArray());
        }

        log.Dispose();
        Assert.True(FileSystem.FileExists(Path.Combine(LogDirectory, "clean-shutdown")));

        var reopened = Open(LogOptions.Default with { SegmentBytes = batch.Length * 2, IndexIntervalBytes = 256 });
        Assert.False(FileSystem.FileExists(Path.Combine(LogDirectory, "clean-shutdown")));
        Assert.Equal(50, reopened.LogEndOffset);
        Assert.Equal(50, reopened.DurableEndOffset);
        Assert.Equal(50, reopened.Append(TestBatches.Make(5)).BaseOffset);
        var records = TestBatches.ReadAll(reopened, 0);
        Assert.Equal(Enumerable.Range(0, 55).Select(i => (long)i), records.Select(r => r.Offset));
    }

    [Fact]
    public void Timestamp_lookup_finds_the_first_offset_at_or_after_the_time()
    {
        var log = Open(LogOptions.Default with { IndexIntervalBytes = 64, SegmentBytes = 4096 });
        for (var i = 0; i < 50; i++)
        {
            // Batch i holds timestamps 1000*i .. 1000*i+4, one per record.
            log.Append(TestBatches.Make(5, valueSize: 50, timestamp: TestBatches.BaseTime + (1000L * i)));
        }

        Assert.True(log.SegmentCount > 1);
        Assert.Equal(0, log.FindOffsetByTimestamp(0));
        Assert.Equal(0, log.FindOffsetByTimestamp(TestBatches.BaseTime));
        Assert.Equal(3, log.FindOffsetByTimestamp(TestBatches.BaseTime + 3));
        Assert.Equal(5, log.FindOffsetByTimestamp(TestBatches.BaseTime + 5));
        Assert.Equal(5 * 37, log.FindOffsetByTimestamp(TestBatches.BaseTime + 36_500));
        Assert.Equal((5 * 42) + 2, log.FindOffsetByTimestamp(TestBatches.BaseTime + 42_002));
        Assert.Null(log.FindOffsetByTimestamp(TestBatches.BaseTime + 49_005));
    }

    [Fact]
    public void Newest_timestamp_lookup_finds_the_first_record_with_the_newest_time_across_segments()
    {
        var log = Open(LogOptions.Default with { IndexIntervalBytes = 64, SegmentBytes = 4096 });
        Assert.Null(log.FindNewestTimestamp());
        var newest = TestBatches.BaseTime + 30_000;
        for (var i = 0; i < 50; i++)
        {
            // Batch 20 holds the newest time (its last record); batch 40, in a later segment, repeats it.
            var start = i is 20 or 40 ? newest - 4 : TestBatches.BaseTime + (100L * i);
            log.Append(TestBatches.Make(5, valueSize: 50, timestamp: start));
        }

        Assert.True(log.SegmentCount > 2);
        Assert.Equal(new TimestampedOffset((20 * 5) + 4, newest), log.FindNewestTimestamp());
        Assert.Equal(new TimestampedOffset(20 * 5, newest - 4), log.FindByTimestamp(newest - 4));

        log.AdvanceLogStartOffset((20 * 5) + 5);
        Assert.Equal(new TimestampedOffset((40 * 5) + 4, newest), log.FindNewestTimestamp());
    }

    [Fact]
    public void Timestamp_lookup_handles_timestamps_that_go_backwards()
    {
        var log = Open(LogOptions.Default with { IndexIntervalBytes = 64 });
        log.Append(TestBatches.Make(1, timestamp: TestBatches.BaseTime + 500));
        log.Append(TestBatches.Make(1, timestamp: TestBatches.BaseTime + 100));
        log.Append(TestBatches.Make(1, timestamp: TestBatches.BaseTime + 900));

        Assert.Equal(0, log.FindOffsetByTimestamp(TestBatches.BaseTime + 200));
        Assert.Equal(2, log.FindOffsetByTimestamp(TestBatches.BaseTime + 600));
    }

    [Fact]
    public async Task Retention_by_time_deletes_old_segments_and_moves_the_log_start()
    {
        var log = Open(LogOptions.Default with { RetentionTime = TimeSpan.FromHours(1), SegmentBytes = 2000 });
        var now = Clock.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 0; i < 6; i++)
        {
            log.Append(TestBatches.Make(5, valueSize: 200, timestamp: now - (long)TimeSpan.FromHours(3).TotalMilliseconds));
        }

        for (var i = 0; i < 4; i++)
        {
            log.Append(TestBatches.Make(5, valueSize: 200, timestamp: now));
        }

        var segmentsBefore = log.SegmentCount;
        var deleted = log.ApplyRetention();

        Assert.True(deleted > 0);
        Assert.Equal(segmentsBefore - deleted, log.SegmentCount);
        Assert.Equal(30, log.LogStartOffset);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(0, 1024, new ArrayBufferWriter<byte>()).Status);
        Assert.Equal(20, TestBatches.ReadAll(log, log.LogStartOffset).Count);
        // The files go as soon as no reader (or the background flush) holds the segment.
        await WaitUntilAsync(() => !FileSystem.ListFiles(LogDirectory).Contains("00000000000000000000.log"));
    }

    [Fact]
    public void Retention_by_time_also_expires_the_active_segment()
    {
        var log = Open(LogOptions.Default with { RetentionTime = TimeSpan.FromHours(1) });
        log.Append(TestBatches.Make(5, timestamp: Clock.GetUtcNow().ToUnixTimeMilliseconds()));
        Clock.Advance(TimeSpan.FromHours(2));

        Assert.Equal(1, log.ApplyRetention());

        Assert.Equal(5, log.LogStartOffset);
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(5, log.Append(TestBatches.Make(1)).BaseOffset);
    }

    [Fact]
    public void Retention_by_size_deletes_the_oldest_segments_beyond_the_limit()
    {
        var batch = TestBatches.Make(5, valueSize: 200);
        var log = Open(LogOptions.Default with { SegmentBytes = batch.Length * 2, RetentionBytes = batch.Length * 5, RetentionTime = null });
        for (var i = 0; i < 10; i++)
        {
            log.Append(batch.ToArray());
        }

        log.ApplyRetention();

        // As in Kafka, whole segments go only while what remains is still at least the limit.
        Assert.Equal(batch.Length * 6, log.SizeInBytes);
        Assert.Equal(20, log.LogStartOffset);
        Assert.Equal(50, log.LogEndOffset);
    }

    [Fact]
    public void Advancing_the_log_start_hides_earlier_records_and_survives_reopen()
    {
        var batch = TestBatches.Make(10);
        var options = LogOptions.Default with { SegmentBytes = batch.Length * 2 };
        var log = Open(options);
        for (var i = 0; i < 6; i++)
        {
            log.Append(batch.ToArray());
        }

        Assert.False(log.AdvanceLogStartOffset(61));
        Assert.True(log.AdvanceLogStartOffset(25));

        Assert.Equal(25, log.LogStartOffset);
        Assert.Equal(2, log.SegmentCount);
        Assert.Equal(ReadStatus.OffsetOutOfRange, log.Read(24, 1024, new ArrayBufferWriter<byte>()).Status);
        Assert.Equal(35, TestBatches.ReadAll(log, 25).Count);
        log.Dispose();

        Assert.Equal(25, Open(options).LogStartOffset);
    }

    [Fact]
    public async Task Concurrent_appenders_share_fdatasync_calls()
    {
        var counting = new CountingFileSystem(FileSystem);
        var log = PartitionLog.Open(LogDirectory, LogOptions.Default, counting, timeProvider: Clock);
        _opened.Add(log);
        var flushesAtStart = counting.Flushes;

        var appenders = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var result = await log.AppendAsync(TestBatches.Make(2));
                Assert.True(log.DurableEndOffset >= result.NextOffset);
            }
        }));
        await Task.WhenAll(appenders).WaitAsync(Timeout);

        Assert.Equal(640, log.LogEndOffset);
        Assert.Equal(640, log.DurableEndOffset);
        var flushes = counting.Flushes - flushesAtStart;
        Assert.True(flushes < 320 / 2, $"{flushes} fdatasync calls for 320 appends");
        Assert.Equal(Enumerable.Range(0, 320).Select(i => i * 2L), TestBatches.ReadAllHeaders(log).Select(h => h.BaseOffset));
    }

    [Fact]
    public async Task Interval_policy_acknowledges_before_durable_and_flushes_on_the_timer()
    {
        var log = Open(LogOptions.Default with { FlushPolicy = FlushPolicy.EveryInterval(TimeSpan.FromSeconds(1)) });
        var result = await log.AppendAsync(TestBatches.Make(3)).AsTask().WaitAsync(Timeout);
        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal(0, log.DurableEndOffset);

        Clock.Advance(TimeSpan.FromSeconds(1));

        await WaitUntilAsync(() => log.DurableEndOffset == 3);
        Assert.Equal(2, result.LastOffset);
    }

    [Fact]
    public async Task Interval_policy_flushes_once_the_byte_threshold_is_crossed()
    {
        var batch = TestBatches.Make(10, valueSize: 100);
        var log = Open(LogOptions.Default with { FlushPolicy = FlushPolicy.EveryInterval(TimeSpan.FromHours(1), bytes: batch.Length * 3) });
        log.Append(batch.ToArray());
        log.Append(batch.ToArray());
        Assert.Equal(0, log.DurableEndOffset);

        log.Append(batch.ToArray());

        await WaitUntilAsync(() => log.DurableEndOffset == 30);
    }

    [Fact]
    public async Task Explicit_flush_makes_appends_durable_under_the_unsafe_policy()
    {
        var log = Open(LogOptions.Default with { FlushPolicy = FlushPolicy.UnsafeNoForce });
        await log.AppendAsync(TestBatches.Make(4)).AsTask().WaitAsync(Timeout);
        Assert.Equal(0, log.DurableEndOffset);

        await log.FlushAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal(4, log.DurableEndOffset);
    }

    [Fact]
    public async Task Readers_running_beside_the_writer_only_ever_see_whole_valid_batches()
    {
        var log = Open(LogOptions.Default with { SegmentBytes = 64 * 1024, FlushPolicy = FlushPolicy.UnsafeNoForce, IndexIntervalBytes = 512 });
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            var batchesSeen = 0L;

            // At least one whole pass, even when the writer is done before this task first runs (a busy machine).
            do
            {
                var offset = log.LogStartOffset;
                while (offset < log.LogEndOffset)
                {
                    var buffer = new ArrayBufferWriter<byte>();
                    var result = log.Read(offset, 8192, buffer);
                    var bytes = buffer.WrittenSpan;
                    var first = true;
                    while (!bytes.IsEmpty)
                    {
                        var header = RecordBatchHeader.Read(bytes);
                        if (first)
                        {
                            Assert.InRange(offset, header.BaseOffset, header.LastOffset);
                        }
                        else
                        {
                            Assert.Equal(offset, header.BaseOffset);
                        }

                        first = false;
                        Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(bytes[..header.TotalSize]));
                        offset = header.NextOffset;
                        bytes = bytes[header.TotalSize..];
                        batchesSeen++;
                    }

                    if (result.BytesWritten == 0)
                    {
                        break;
                    }
                }
            }
            while (!stop.IsCancellationRequested);

            return batchesSeen;
        });

        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            log.Append(TestBatches.Make(random.Next(1, 5), valueSize: random.Next(10, 400)));
        }

        await stop.CancelAsync();
        var seen = await reader.WaitAsync(Timeout);
        Assert.True(seen > 0);
    }

    [Fact]
    public async Task Retention_racing_with_readers_and_a_writer_never_breaks_a_read()
    {
        var log = Open(LogOptions.Default with { SegmentBytes = 4096, RetentionBytes = 16 * 1024, RetentionTime = null, IndexIntervalBytes = 256 });
        using var stop = new CancellationTokenSource();
        var readsSoFar = new int[2];
        var writer = Task.Run(async () =>
        {
            // A fixed amount of work rather than a fixed time, so a slow or busy machine only makes the test longer;
            // and it goes on until both readers have read and retention has deleted something, however late their
            // threads start.
            for (var i = 0; i < 600 || Volatile.Read(ref readsSoFar[0]) == 0 || Volatile.Read(ref readsSoFar[1]) == 0 || log.LogStartOffset == 0; i++)
            {
                await log.AppendAsync(TestBatches.Make(3, valueSize: 100));
            }

            await stop.CancelAsync();
        });
        // Dedicated threads for the spinning loops, so they cannot starve the thread pool the flush loop runs on.
        var retention = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                log.ApplyRetention();
                Thread.Yield();
            }
        }, TaskCreationOptions.LongRunning);
        var readers = Enumerable.Range(0, 2).Select(index => Task.Factory.StartNew(() =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                var buffer = new ArrayBufferWriter<byte>();
                var offset = log.LogStartOffset;
                var result = log.Read(offset, 2048, buffer);
                if (result.Status == ReadStatus.Ok && result.BytesWritten > 0)
                {
                    var header = RecordBatchHeader.Read(buffer.WrittenSpan);
                    Assert.InRange(offset, header.BaseOffset, header.LastOffset);
                    Assert.Equal(header.Crc, RecordBatchHeader.ComputeCrc(buffer.WrittenSpan[..header.TotalSize]));
                    reads++;
                    Volatile.Write(ref readsSoFar[index], reads);
                }
                else if (result.Status == ReadStatus.Ok)
                {
                    Assert.Equal(result.EndOffset, offset); // nothing to read only at the end of the log
                }
                else
                {
                    // Retention moved the start between reading it and reading from it.
                    Assert.True(log.LogStartOffset > offset);
                }
            }

            return reads;
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll([writer, retention, .. readers]).WaitAsync(Timeout);

        Assert.All(readers, reader => Assert.True(reader.Result > 0, $"{reader.Result} reads; log {log.LogStartOffset}..{log.LogEndOffset}"));
        Assert.True(log.LogStartOffset > 0);
        // Retention lags a fast writer; once caught up it keeps at least the limit, so less than one sealed segment
        // more, plus the active segment.
        log.ApplyRetention();
        Assert.True(log.SizeInBytes < (16 * 1024) + (2 * 4096), $"{log.SizeInBytes} bytes kept");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }

    private static byte[] Flip(byte[] batch, int position)
    {
        var copy = batch.ToArray();
        copy[position] ^= 0x10;
        return copy;
    }

    private static byte[] Set(byte[] batch, int position, byte value)
    {
        var copy = batch.ToArray();
        copy[position] = value;
        return copy;
    }

    private static byte[] WithLength(byte[] batch, int batchLength)
    {
        var copy = batch.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(8), batchLength);
        return copy;
    }

    private static byte[] WithInt(byte[] batch, int position, int value)
    {
        var copy = batch.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(position), value);
        return copy;
    }

    private static byte[] WithRecountedCrc(byte[] batch)
    {
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }
}

public sealed class PartitionLogOnDiskTests() : PartitionLogBehaviour(DiskFileSystem.Instance);

public sealed class PartitionLogInMemoryTests() : PartitionLogBehaviour(new MemoryFileSystem());
