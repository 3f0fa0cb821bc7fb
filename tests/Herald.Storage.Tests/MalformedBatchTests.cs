using System.Buffers.Binary;
using CsCheck;
using Herald.Storage.Tests.Support;

namespace Herald.Storage.Tests;

public class MalformedBatchTests
{
    private const int SectionStart = RecordBatchHeader.Size;

    public static TheoryData<CompressionType> AllCodecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    public static TheoryData<CompressionType> Compressed => new()
    {
        CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Batch_cut_short_anywhere_throws_the_typed_exception(CompressionType codec)
    {
        var batch = Batches.Build(
            RecordBatchOptions.Default with { Compression = codec },
            [new(1, "key"u8.ToArray(), "value"u8.ToArray(), new TestHeader("h", [1, 2])), new(2, null, null)]);

        for (int length = 1; length < batch.Length; length++)
        {
            var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch.AsMemory(0, length)));
            Assert.Equal(0, error.Position);
            Assert.Contains("truncated batch", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Truncated_second_batch_fails_at_its_own_position_after_the_first_was_read()
    {
        var first = Batches.Build(RecordBatchOptions.Default, [new(1, null, "a"u8.ToArray())]);
        byte[] input = [.. first, .. first.AsSpan(0, 30)];
        var reader = new RecordBatchReader(input);

        Assert.True(reader.TryReadNext(out _));
        var error = Assert.Throws<InvalidRecordBatchException>(() => reader.TryReadNext(out _));

        Assert.Equal(first.Length, error.Position);
        Assert.Equal(first.Length, reader.Position);
        Assert.Contains($"byte {first.Length}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Record length 7, then attributes, timestamp delta, offset delta, and a key length whose continuation bits run off the record.
    [InlineData("0E000000 80808080", "key length varint is truncated")]
    // Record length 7, then attributes and a timestamp delta that never ends.
    [InlineData("0E00 808080808080", "timestamp delta varint is truncated")]
    // A record length longer than any int.
    [InlineData("FFFFFFFFFF0000", "length varint is too long")]
    public void Malformed_varint_in_a_record_throws_the_typed_exception(string sectionHex, string problem)
    {
        var batch = Batches.Assemble(Convert.FromHexString(sectionHex.Replace(" ", "", StringComparison.Ordinal)), recordCount: 1);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_length_past_the_end_of_the_record_names_the_problem_and_its_byte()
    {
        // Record length 7: attributes, timestamp delta, offset delta, key length 10 with only 2 key bytes and 1 more byte after.
        byte[] section = [0x0E, 0x00, 0x00, 0x00, 0x14, 0x61, 0x62, 0x00];
        var batch = Batches.Assemble(section, recordCount: 1);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        // The key bytes would start after the length prefix, the three one-byte fields and the key length.
        Assert.Equal(SectionStart + 5, error.Position);
        Assert.Contains("key needs 10 bytes but only 3 are left", error.Message, StringComparison.Ordinal);
        Assert.Contains($"at byte {SectionStart + 5}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Record length int.MaxValue.
    [InlineData("FEFFFFFF0F 00000000000000", "runs past the end")]
    // Key length int.MaxValue.
    [InlineData("1A 000000 FEFFFFFF0F 0000000000000000", "key needs 2147483647 bytes")]
    // Value length int.MaxValue.
    [InlineData("1A 000000 01 FEFFFFFF0F 00000000000000", "value needs 2147483647 bytes")]
    // Header count int.MaxValue.
    [InlineData("1A 000000 01 01 FEFFFFFF0F 000000000000", "header count 2147483647 cannot fit")]
    // Header key length int.MaxValue.
    [InlineData("1A 000000 01 01 02 FEFFFFFF0F 0000000000", "header key needs 2147483647 bytes")]
    // Header value length int.MaxValue.
    [InlineData("1A 000000 01 01 02 00 FEFFFFFF0F 00000000", "header value needs 2147483647 bytes")]
    public void Absurd_lengths_throw_the_typed_exception_without_allocating_for_them(string sectionHex, string problem)
    {
        var batch = Batches.Assemble(Convert.FromHexString(sectionHex.Replace(" ", "", StringComparison.Ordinal)), recordCount: 1);

        var error = AssertThrowsWithoutAllocating(batch);

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Absurd_record_count_throws_the_typed_exception_without_allocating_for_it(CompressionType codec)
    {
        var batch = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, [new(1, null, "v"u8.ToArray())]);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), int.MaxValue);
        Batches.FixCrc(batch);

        var error = AssertThrowsWithoutAllocating(batch);

        Assert.Contains("declares 2147483647 records", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absurd_batch_length_is_reported_as_truncation()
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, null, "v"u8.ToArray())]);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), int.MaxValue);

        var error = AssertThrowsWithoutAllocating(batch);

        Assert.Contains("truncated batch: batch length 2147483647", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    // Record length -1.
    [InlineData("01 00000000000000", "negative length -1")]
    // Key length -2.
    [InlineData("0E 000000 03 000000", "key length -2 is negative and not -1")]
    // Value length -3.
    [InlineData("0E 000000 01 05 0000", "value length -3 is negative and not -1")]
    // Header count -1.
    [InlineData("0E 000000 01 01 01 00", "negative header count -1")]
    // Header key length -1: header keys cannot be null.
    [InlineData("10 000000 01 01 02 01 01", "header 0 has a negative key length -1")]
    // Header value length -2.
    [InlineData("10 000000 01 01 02 00 03", "header value length -2 is negative and not -1")]
    public void Negative_lengths_other_than_null_throw_the_typed_exception(string sectionHex, string problem)
    {
        var batch = Batches.Assemble(Convert.FromHexString(sectionHex.Replace(" ", "", StringComparison.Ordinal)), recordCount: 1);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_records_than_the_header_declares_throws_the_typed_exception()
    {
        var section = Batches.RecordsSection(Batches.Build(RecordBatchOptions.Default, [new(1, null, Batches.Repetitive(20))]));
        var batch = Batches.Assemble(section, recordCount: 2);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains("declares 2 records but the records section ends after 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(batch.Length, error.Position);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void More_records_than_the_header_declares_throws_the_typed_exception(CompressionType codec)
    {
        var batch = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, [new(1, null, "a"u8.ToArray()), new(2, null, "b"u8.ToArray())]);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), 1);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(23), 0);
        Batches.FixCrc(batch);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains("bytes follow the 1 records the header declares", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_length_that_disagrees_with_its_fields_throws_the_typed_exception()
    {
        // Record length 9, but its fields (attributes, deltas, null key, null value, no headers) take 6; two stray bytes follow.
        byte[] section = [0x12, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00];
        var batch = Batches.Assemble(section, recordCount: 1);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains("record 0 declares 9 bytes but its fields take 6", error.Message, StringComparison.Ordinal);
        Assert.Equal(SectionStart, error.Position);
    }

    [Fact]
    public void Bad_crc_throws_when_verifying_and_is_read_when_not()
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, null, "value"u8.ToArray())]);
        batch[^6] = (byte)'V';

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));
        Assert.Contains("CRC32C mismatch", error.Message, StringComparison.Ordinal);

        var read = Assert.Single(RecordBatchReader.ReadAll(batch, new RecordBatchReaderOptions { VerifyCrc = false }));
        Assert.Equal("Value"u8.ToArray(), Assert.Single(read.Records).Value?.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Magic_other_than_2_throws_the_typed_exception(byte magic)
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, null, null)]);
        batch[16] = magic;

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains($"magic {magic} is not 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Unknown_compression_codec_throws_the_typed_exception(short codec)
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, null, null)]);
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(21), codec);
        Batches.FixCrc(batch);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains($"unknown compression codec {codec}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_length_shorter_than_a_header_throws_the_typed_exception()
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, null, null)]);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(8), 48);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains("batch length 48 is shorter than a batch header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_record_count_throws_the_typed_exception()
    {
        var batch = Batches.Build(RecordBatchOptions.Default, [new(1, null, null)]);
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(57), -1);
        Batches.FixCrc(batch);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains("negative record count -1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CompressionType.Snappy, "its Snappy records section cannot be decompressed")]
    [InlineData(CompressionType.Lz4, "its Lz4 records section cannot be decompressed")]
    [InlineData(CompressionType.Zstd, "its Zstd records section cannot be decompressed")]
    // .NET's GZipStream ends quietly at a truncated stream, so the loss shows as a record cut short.
    [InlineData(CompressionType.Gzip, "record 0")]
    public void Truncated_compressed_records_throw_the_typed_exception(CompressionType codec, string problem)
    {
        var section = Batches.RecordsSection(
            Batches.Build(RecordBatchOptions.Default with { Compression = codec }, [new(1, null, Batches.Random(5000, seed: 9))]));
        // Keep the stream's own header so that the codec gets past it, and cut the rest in half.
        var batch = Batches.Assemble(section.AsSpan(0, section.Length / 2), recordCount: 1, compression: codec);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Equal(0, error.Position);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void Garbage_in_place_of_compressed_records_throws_the_typed_exception_with_the_codecs_error_inside(CompressionType codec)
    {
        var garbage = Batches.Random(200, seed: 11);
        // Begin like a real stream of the codec, so that the garbage reaches the decoder proper.
        var magic = codec switch
        {
            CompressionType.Gzip => new byte[] { 0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0, 0xFF },
            CompressionType.Snappy => new byte[] { 0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 184 },
            CompressionType.Lz4 => new byte[] { 0x04, 0x22, 0x4D, 0x18 },
            _ => new byte[] { 0x28, 0xB5, 0x2F, 0xFD },
        };
        var batch = Batches.Assemble([.. magic, .. garbage], recordCount: 1, compression: codec);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));

        Assert.Contains($"its {codec} records section cannot be decompressed", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void Error_inside_decompressed_records_names_the_batch_and_the_offset_in_its_records(CompressionType codec)
    {
        // Key length -2, compressed.
        var section = Convert.FromHexString("0E00000003000000");
        using var compressed = new Internal.PooledBufferWriter(256);
        Internal.RecordCompression.Compress(codec, section, compressed);
        var batch = Batches.Assemble(compressed.WrittenSpan, recordCount: 1, compression: codec);
        byte[] input = [.. Batches.Build(RecordBatchOptions.Default, [new(1, null, null)]), .. batch];

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(input));

        Assert.Equal(input.Length - batch.Length, error.Position);
        Assert.Contains("key length -2 is negative", error.Message, StringComparison.Ordinal);
        Assert.Contains("at byte 4 of its decompressed records", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void Decompression_bomb_over_the_limit_throws_the_typed_exception_without_inflating(CompressionType codec)
    {
        var batch = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, [new(1, null, new byte[32 * 1024 * 1024])]);
        var options = new RecordBatchReaderOptions { MaxDecompressedBytes = 1024 * 1024 };
        Assert.Throws<DecompressionLimitExceededException>(() => RecordBatchReader.ReadAll(batch, options));

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<DecompressionLimitExceededException>(() => RecordBatchReader.ReadAll(batch, options));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1024 * 1024, error.Limit);
        Assert.Equal(0, error.Position);
        Assert.True(allocated < 8 * 1024 * 1024, $"{allocated} bytes allocated reading a 32 MiB bomb with a 1 MiB limit");
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void Records_decompressing_to_exactly_the_limit_are_read(CompressionType codec)
    {
        using var builder = new RecordBatchBuilder(RecordBatchOptions.Default with { Compression = codec });
        builder.Add(1, null, Batches.Repetitive(100_000));
        var batch = builder.ToArray();
        int recordsSize = builder.UncompressedSize - RecordBatchHeader.Size;

        var read = Assert.Single(RecordBatchReader.ReadAll(batch, new RecordBatchReaderOptions { MaxDecompressedBytes = recordsSize }));
        Assert.Equal(Batches.Repetitive(100_000), Assert.Single(read.Records).Value?.ToArray());
        Assert.Throws<DecompressionLimitExceededException>(
            () => RecordBatchReader.ReadAll(batch, new RecordBatchReaderOptions { MaxDecompressedBytes = recordsSize - 1 }));
    }

    [Fact]
    public void Negative_decompression_limit_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new RecordBatchReader(ReadOnlyMemory<byte>.Empty, new RecordBatchReaderOptions { MaxDecompressedBytes = -1 }));
    }

    [Fact]
    public void Any_corruption_of_any_batch_is_refused_unless_it_reads_back_whole_and_an_untouched_batch_reads_back_intact()
    {
        TestRecord[] records =
        [
            new(1, "key"u8.ToArray(), "value"u8.ToArray(), new TestHeader("h", [1]), new TestHeader("n", null)),
            new(-5, null, Batches.Repetitive(300)),
            new(9, [], null),
        ];
        var batches = new Dictionary<CompressionType, byte[]>();
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            batches[codec] = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, records);
        }

        var corruption = Gen.Select(Gen.Enum<CompressionType>(), Gen.Int[0, 10_000], Gen.Byte, Gen.Bool);
        corruption.Sample((codec, where, value, keepCrcValid) =>
        {
            var original = batches[codec];
            var batch = (byte[])original.Clone();
            int position = where % batch.Length;
            batch[position] = value;
            bool crcFixed = keepCrcValid && (position < RecordBatchHeader.CrcOffset || position >= RecordBatchHeader.AttributesOffset);
            if (crcFixed)
            {
                Batches.FixCrc(batch);
            }

            var accepted = BatchValidator.ValidateRecordSet(batch, int.MaxValue) == BatchError.None;
            IReadOnlyList<RecordBatch>? read = null;
            try
            {
                read = RecordBatchReader.ReadAll(batch);
            }
            catch (InvalidRecordBatchException)
            {
            }

            if (batch.AsSpan().SequenceEqual(original))
            {
                Assert.True(accepted);
                RecordAssert.AllMatch(records, 0, Assert.Single(read!).Records);
                return;
            }

            if (!crcFixed && position >= RecordBatchHeader.CrcOffset)
            {
                // The CRC no longer matches what it covers: refused when produced, and an error when read.
                Assert.False(accepted, $"a CRC mismatch at byte {position} was accepted");
                Assert.Null(read);
            }

            if (accepted)
            {
                // Whatever a producer may store, every reader can read: the batch's stated count of records, whole.
                var stored = Assert.Single(read!);
                Assert.Equal(stored.Header.RecordCount, stored.Records.Count);
            }
        }, iter: 5000);
    }

    [Fact]
    public void Any_shortened_records_section_is_read_or_throws_the_typed_exception_and_nothing_else()
    {
        TestRecord[] records =
        [
            new(1, "key"u8.ToArray(), Batches.Random(2000, seed: 10), new TestHeader("h", [1])),
            new(1, null, Batches.Repetitive(3000)),
        ];
        var sections = new Dictionary<CompressionType, byte[]>();
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            sections[codec] = Batches.RecordsSection(Batches.Build(RecordBatchOptions.Default with { Compression = codec }, records));
        }

        Gen.Select(Gen.Enum<CompressionType>(), Gen.Int[0, 100_000]).Sample((codec, cut) =>
        {
            var section = sections[codec];
            var batch = Batches.Assemble(section.AsSpan(0, cut % section.Length), recordCount: 2, compression: codec, baseTimestamp: 1);

            IReadOnlyList<RecordBatch> read;
            try
            {
                read = RecordBatchReader.ReadAll(batch);
            }
            catch (InvalidRecordBatchException)
            {
                return;
            }

            // Some codecs may not notice a missing end-of-stream trailer; then every record must still be intact.
            Assert.NotEqual(CompressionType.None, codec);
            RecordAssert.AllMatch(records, 0, Assert.Single(read).Records);
        }, iter: 2000);
    }

    private static InvalidRecordBatchException AssertThrowsWithoutAllocating(byte[] batch)
    {
        // The first read warms up code paths; the second is measured.
        Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated");
        return error;
    }
}
