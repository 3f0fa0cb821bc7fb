using System.Buffers;
using Herald.Storage.Tests.Support;

namespace Herald.Storage.Tests;

public class RecordBatchBuilderTests
{
    // Worked out by hand from the RecordBatch v2 layout, with the CRC32C computed by an independent implementation.
    // Record 0: timestamp 1000, null key, value "v". Record 1: timestamp 990 (delta -10), key "k", empty value, header "h" = null.
    private static readonly byte[] KnownBatch =
    [
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, // base offset 5
        0x00, 0x00, 0x00, 0x44, // batch length 68
        0xFF, 0xFF, 0xFF, 0xFF, // partition leader epoch -1
        0x02, // magic
        0x74, 0xF8, 0x78, 0xE9, // CRC32C
        0x00, 0x00, // attributes
        0x00, 0x00, 0x00, 0x01, // last offset delta
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // base timestamp 1000
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xE8, // max timestamp 1000
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producer id -1
        0xFF, 0xFF, // producer epoch -1
        0xFF, 0xFF, 0xFF, 0xFF, // base sequence -1
        0x00, 0x00, 0x00, 0x02, // record count
        0x0E, 0x00, 0x00, 0x00, 0x01, 0x02, 0x76, 0x00, // length 7, attrs, ts delta 0, offset delta 0, key -1, value 1 "v", 0 headers
        0x14, 0x00, 0x13, 0x02, 0x02, 0x6B, 0x00, 0x02, 0x02, 0x68, 0x01, // length 10, attrs, ts delta -10, offset delta 1, key "k", value 0, 1 header "h" = null
    ];

    [Fact]
    public void Builder_writes_the_known_bytes_of_an_uncompressed_batch()
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { BaseOffset = 5 });
        builder.Add(1000, null, "v"u8.ToArray());
        builder.Add(990, "k"u8.ToArray(), ReadOnlyMemory<byte>.Empty, [new RecordHeader("h", null)]);

        Assert.Equal(KnownBatch, builder.ToArray());
    }

    [Fact]
    public void Reader_decodes_the_known_bytes_of_an_uncompressed_batch()
    {
        var batch = Assert.Single(RecordBatchReader.ReadAll(KnownBatch));

        Assert.Equal(5, batch.Header.BaseOffset);
        Assert.Equal(2, batch.Header.RecordCount);
        RecordAssert.Matches(new TestRecord(1000, null, "v"u8.ToArray()), 5, 1000, batch.Records[0]);
        RecordAssert.Matches(new TestRecord(990, "k"u8.ToArray(), [], new TestHeader("h", null)), 6, 990, batch.Records[1]);
    }

    [Fact]
    public void WriteTo_appends_the_same_bytes_as_ToArray_and_returns_their_count()
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = CompressionType.Lz4 });
        builder.Add(1, "k"u8.ToArray(), Batches.Repetitive(5000));
        var output = new ArrayBufferWriter<byte>();
        output.Write("prefix"u8);

        int written = builder.WriteTo(output);

        var expected = builder.ToArray();
        Assert.Equal(expected.Length, written);
        Assert.Equal(expected, output.WrittenSpan[6..].ToArray());
        Assert.Equal("prefix"u8.ToArray(), output.WrittenSpan[..6].ToArray());
    }

    [Fact]
    public void Writing_twice_gives_the_same_batch()
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = CompressionType.Zstd });
        builder.Add(1, null, "value"u8.ToArray());

        Assert.Equal(builder.ToArray(), builder.ToArray());
    }

    [Fact]
    public void Reset_starts_a_fresh_batch_with_new_options()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1, null, "first batch"u8.ToArray());
        builder.Add(2, null, Batches.Random(20_000, seed: 8));
        _ = builder.ToArray();

        builder.Reset(RecordBatchOptions.Default with { Compression = CompressionType.Gzip, BaseOffset = 100 });
        Assert.Equal(0, builder.Count);
        Assert.Equal(RecordBatchHeader.Size, builder.UncompressedSize);
        builder.Add(500, "k"u8.ToArray(), "second batch"u8.ToArray());

        var batch = Assert.Single(RecordBatchReader.ReadAll(builder.ToArray()));
        Assert.Equal(CompressionType.Gzip, batch.Header.Compression);
        Assert.Equal(500, batch.Header.BaseTimestamp);
        RecordAssert.Matches(new TestRecord(500, "k"u8.ToArray(), "second batch"u8.ToArray()), 100, 500, Assert.Single(batch.Records));
    }

    [Fact]
    public void Reset_without_options_keeps_the_current_ones()
    {
        var options = RecordBatchOptions.Default with { Compression = CompressionType.Snappy, ProducerId = 3 };
        using var builder = new RecordBatchBuilder(options);
        builder.Add(1, null, null);

        builder.Reset();

        Assert.Same(options, builder.Options);
        Assert.Equal(0, builder.Count);
    }

    [Fact]
    public void Count_and_uncompressed_size_track_added_records()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1000, null, "v"u8.ToArray());
        Assert.Equal(1, builder.Count);
        Assert.Equal(RecordBatchHeader.Size + 8, builder.UncompressedSize);

        builder.Add(990, "k"u8.ToArray(), ReadOnlyMemory<byte>.Empty, [new RecordHeader("h", null)]);
        Assert.Equal(2, builder.Count);
        Assert.Equal(KnownBatch.Length, builder.UncompressedSize);
    }

    [Fact]
    public void Builder_refuses_to_write_an_empty_batch()
    {
        using var builder = new RecordBatchBuilder();

        Assert.Throws<InvalidOperationException>(() => builder.ToArray());
        Assert.Throws<InvalidOperationException>(() => builder.WriteTo(new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void Header_without_a_key_is_rejected_and_leaves_the_builder_unchanged()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1, null, "kept"u8.ToArray());
        int size = builder.UncompressedSize;

        Assert.Throws<ArgumentException>(() => builder.Add(2, null, null, [new RecordHeader("ok", null), new RecordHeader(null!, null)]));

        Assert.Equal(1, builder.Count);
        Assert.Equal(size, builder.UncompressedSize);
        var batch = Assert.Single(RecordBatchReader.ReadAll(builder.ToArray()));
        RecordAssert.AllMatch([new TestRecord(1, null, "kept"u8.ToArray())], 0, batch.Records);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(255)]
    public void Unknown_compression_is_rejected_when_options_are_given(int codec)
    {
        var options = RecordBatchOptions.Default with { Compression = (CompressionType)codec };

        Assert.Throws<ArgumentException>(() => new RecordBatchBuilder(options));
        using var builder = new RecordBatchBuilder();
        Assert.Throws<ArgumentException>(() => builder.Reset(options));
        Assert.Same(RecordBatchOptions.Default, builder.Options);
    }

    [Fact]
    public void Disposed_builder_cannot_be_used()
    {
        var builder = new RecordBatchBuilder();
        builder.Add(1, null, null);
        builder.Dispose();
        builder.Dispose();

        Assert.Throws<ObjectDisposedException>(() => builder.Add(2, null, null));
        Assert.Throws<ObjectDisposedException>(() => builder.ToArray());
        Assert.Throws<ObjectDisposedException>(() => builder.Reset());
    }

    [Fact]
    public void Many_records_grow_the_pooled_buffer_and_round_trip()
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = CompressionType.Snappy });
        var expected = new List<TestRecord>();
        for (int i = 0; i < 10_000; i++)
        {
            var record = new TestRecord(1_000_000 + (i * 7 % 1000), BitConverter.GetBytes(i), Batches.Random(i % 50, seed: i));
            expected.Add(record);
            Batches.Add(builder, record);
        }

        var batch = Assert.Single(RecordBatchReader.ReadAll(builder.ToArray()));

        RecordAssert.AllMatch(expected, 0, batch.Records);
    }
}
