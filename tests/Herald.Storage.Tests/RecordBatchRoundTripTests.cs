using System.Text;
using Herald.Storage.Tests.Support;

namespace Herald.Storage.Tests;

public class RecordBatchRoundTripTests
{
    public static TheoryData<CompressionType> AllCodecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Batch_round_trips_keys_values_and_headers_with_nulls_distinct_from_empties(CompressionType codec)
    {
        TestRecord[] records =
        [
            new(1000, "key-1"u8.ToArray(), "value-1"u8.ToArray()),
            new(1001, null, "value with a null key"u8.ToArray()),
            new(1002, [], "value with an empty key"u8.ToArray()),
            new(1003, "tombstone"u8.ToArray(), null),
            new(1004, "empty value"u8.ToArray(), []),
            new(1005, null, null),
            new(
                1006,
                "headers"u8.ToArray(),
                "v"u8.ToArray(),
                new TestHeader("trace-id", "abc123"u8.ToArray()),
                new TestHeader("null-value", null),
                new TestHeader("empty-value", []),
                new TestHeader("trace-id", "repeated key"u8.ToArray()),
                new TestHeader("ключ-鍵-🔑", Encoding.UTF8.GetBytes("ünïcödé")),
                new TestHeader("", "empty key"u8.ToArray())),
        ];

        var batch = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, records);
        var read = Assert.Single(RecordBatchReader.ReadAll(batch));

        Assert.Equal(codec, read.Header.Compression);
        RecordAssert.AllMatch(records, 0, read.Records);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Batch_round_trips_offsets_and_timestamps_including_negative_deltas(CompressionType codec)
    {
        TestRecord[] records =
        [
            new(1_700_000_000_000, null, "a"u8.ToArray()),
            new(1_699_999_990_000, null, "earlier"u8.ToArray()),
            new(1_700_000_500_000, null, "latest"u8.ToArray()),
            new(0, null, "epoch"u8.ToArray()),
            new(-1, null, "before the epoch"u8.ToArray()),
            new(1_700_000_000_001, null, "b"u8.ToArray()),
        ];
        var options = RecordBatchOptions.Default with { Compression = codec, BaseOffset = 9_876_543_210 };

        var read = Assert.Single(RecordBatchReader.ReadAll(Batches.Build(options, records)));

        Assert.Equal(9_876_543_210, read.Header.BaseOffset);
        Assert.Equal(5, read.Header.LastOffsetDelta);
        Assert.Equal(6, read.Header.RecordCount);
        Assert.Equal(9_876_543_215, read.Header.LastOffset);
        Assert.Equal(1_700_000_000_000, read.Header.BaseTimestamp);
        Assert.Equal(1_700_000_500_000, read.Header.MaxTimestamp);
        Assert.False(read.Header.IsLogAppendTime);
        RecordAssert.AllMatch(records, 9_876_543_210, read.Records);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Timestamps_at_the_extremes_of_long_round_trip(CompressionType codec)
    {
        TestRecord[] records = [new(long.MaxValue, null, null), new(long.MinValue, null, null), new(0, null, null)];

        var read = Assert.Single(RecordBatchReader.ReadAll(Batches.Build(RecordBatchOptions.Default with { Compression = codec }, records)));

        RecordAssert.AllMatch(records, 0, read.Records);
        Assert.Equal(long.MaxValue, read.Header.MaxTimestamp);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Batch_round_trips_producer_transaction_and_leader_epoch_fields(CompressionType codec)
    {
        var options = new RecordBatchOptions
        {
            Compression = codec,
            BaseOffset = 42,
            PartitionLeaderEpoch = 17,
            ProducerId = 123_456_789_012,
            ProducerEpoch = 7,
            BaseSequence = 1_000_000,
            IsTransactional = true,
        };

        var read = Assert.Single(RecordBatchReader.ReadAll(Batches.Build(options, [new(5, null, "x"u8.ToArray()), new(6, null, "y"u8.ToArray())])));

        Assert.Equal(42, read.Header.BaseOffset);
        Assert.Equal(17, read.Header.PartitionLeaderEpoch);
        Assert.Equal(123_456_789_012, read.Header.ProducerId);
        Assert.Equal((short)7, read.Header.ProducerEpoch);
        Assert.Equal(1_000_000, read.Header.BaseSequence);
        Assert.True(read.Header.IsTransactional);
        Assert.False(read.Header.IsControl);
        Assert.Equal((short)((int)codec | 0x10), read.Header.Attributes);
        Assert.Equal([42L, 43L], [read.Records[0].Offset, read.Records[1].Offset]);
    }

    [Fact]
    public void Default_options_write_kafkas_no_producer_values()
    {
        var read = Assert.Single(RecordBatchReader.ReadAll(Batches.Build(RecordBatchOptions.Default, [new(5, null, null)])));

        Assert.Equal(0, read.Header.BaseOffset);
        Assert.Equal(-1, read.Header.PartitionLeaderEpoch);
        Assert.Equal(-1, read.Header.ProducerId);
        Assert.Equal((short)-1, read.Header.ProducerEpoch);
        Assert.Equal(-1, read.Header.BaseSequence);
        Assert.Equal((short)0, read.Header.Attributes);
        Assert.Equal(RecordBatchHeader.CurrentMagic, read.Header.Magic);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Control_batch_sets_the_control_bit(CompressionType codec)
    {
        // A commit marker: key is version 0 and type 1, value is version 0 and coordinator epoch 3.
        byte[] key = [0, 0, 0, 1];
        byte[] value = [0, 0, 0, 0, 0, 3];
        var options = RecordBatchOptions.Default with { Compression = codec, IsControl = true, IsTransactional = true, ProducerId = 9, ProducerEpoch = 1 };

        var read = Assert.Single(RecordBatchReader.ReadAll(Batches.Build(options, [new(77, key, value)])));

        Assert.True(read.Header.IsControl);
        Assert.True(read.Header.IsTransactional);
        RecordAssert.Matches(new(77, key, value), 0, 77, Assert.Single(read.Records));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void LogAppendTime_batch_reports_the_append_time_for_every_record(CompressionType codec)
    {
        TestRecord[] records = [new(100, null, "a"u8.ToArray()), new(50, null, "b"u8.ToArray()), new(200, null, "c"u8.ToArray())];
        var options = RecordBatchOptions.Default with { Compression = codec, LogAppendTime = 1_700_000_123_456 };

        var read = Assert.Single(RecordBatchReader.ReadAll(Batches.Build(options, records)));

        Assert.True(read.Header.IsLogAppendTime);
        Assert.Equal(1_700_000_123_456, read.Header.MaxTimestamp);
        Assert.Equal(100, read.Header.BaseTimestamp);
        for (int i = 0; i < records.Length; i++)
        {
            RecordAssert.Matches(records[i], i, 1_700_000_123_456, read.Records[i]);
        }
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Batch_round_trips_1_MiB_values(CompressionType codec)
    {
        TestRecord[] records =
        [
            new(1, Batches.Random(1000, seed: 5), Batches.Random(1024 * 1024, seed: 6)),
            new(2, null, Batches.Repetitive(1024 * 1024), new TestHeader("big", Batches.Random(100_000, seed: 7))),
        ];

        var batch = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, records);
        var read = Assert.Single(RecordBatchReader.ReadAll(batch));

        RecordAssert.AllMatch(records, 0, read.Records);
        Assert.Equal(batch.Length, read.Header.TotalSize);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Built_batch_passes_the_validator_and_its_crc_matches(CompressionType codec)
    {
        var batch = Batches.Build(
            RecordBatchOptions.Default with { Compression = codec, ProducerId = 5, ProducerEpoch = 0, BaseSequence = 0 },
            [new(1, "k"u8.ToArray(), Batches.Repetitive(10_000)), new(2, null, null, new TestHeader("h", null))]);

        var header = RecordBatchHeader.Read(batch);
        Assert.Equal(BatchError.None, BatchValidator.ValidateRecordSet(batch, maxBatchBytes: 1024 * 1024));
        Assert.Equal(RecordBatchHeader.ComputeCrc(batch), header.Crc);
        Assert.Equal(batch.Length, header.TotalSize);
        Assert.Equal(2, header.RecordCount);
        Assert.Equal(1, header.LastOffsetDelta);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Compressed_batch_is_smaller_than_its_records_when_they_repeat(CompressionType codec)
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = codec });
        for (int i = 0; i < 100; i++)
        {
            builder.Add(i, "same key"u8.ToArray(), Batches.Repetitive(1000));
        }

        var batch = builder.ToArray();

        Assert.True(batch.Length < builder.UncompressedSize / 5, $"{batch.Length} bytes compressed from {builder.UncompressedSize}");
        Assert.Equal(codec, RecordBatchHeader.Read(batch).Compression);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Reader_reads_concatenated_batches_in_order_and_tracks_its_position(CompressionType codec)
    {
        var first = Batches.Build(RecordBatchOptions.Default with { Compression = codec, BaseOffset = 0 }, [new(1, null, "a"u8.ToArray())]);
        var second = Batches.Build(
            RecordBatchOptions.Default with { Compression = CompressionType.Zstd, BaseOffset = 1 },
            [new(2, null, "b"u8.ToArray()), new(3, null, "c"u8.ToArray())]);
        var third = Batches.Build(RecordBatchOptions.Default with { Compression = codec, BaseOffset = 3 }, [new(4, null, "d"u8.ToArray())]);
        byte[] all = [.. first, .. second, .. third];

        var reader = new RecordBatchReader(all);
        var values = new List<string>();
        var positions = new List<int> { reader.Position };
        while (reader.TryReadNext(out var batch))
        {
            positions.Add(reader.Position);
            foreach (var record in batch.Records)
            {
                values.Add($"{record.Offset}:{Encoding.UTF8.GetString(record.Value!.Value.Span)}");
            }
        }

        Assert.Equal(["0:a", "1:b", "2:c", "3:d"], values);
        Assert.Equal([0, first.Length, first.Length + second.Length, all.Length], positions);
        Assert.False(reader.TryReadNext(out _));
    }

    [Fact]
    public void Empty_input_holds_no_batches()
    {
        Assert.Empty(RecordBatchReader.ReadAll(ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void Uncompressed_records_slice_the_input_without_copying()
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, "key"u8.ToArray(), "value"u8.ToArray())]);

        var record = Assert.Single(Assert.Single(RecordBatchReader.ReadAll(batch)).Records);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(record.Value!.Value, out var segment));
        Assert.Same(batch, segment.Array);
        Assert.Equal(batch.Length - 1 - "value".Length, segment.Offset);
    }
}
