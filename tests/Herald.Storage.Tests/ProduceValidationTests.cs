using System.Buffers.Binary;
using CsCheck;
using Herald.Storage.Tests.Support;

namespace Herald.Storage.Tests;

/// <summary>
/// Regression: a batch with a valid CRC whose records were malformed (a value length of -9, say) was appended with no
/// error, and every reader after it stalled or crashed at that offset. A produce now checks every record first.
/// </summary>
public class ProduceValidationTests
{
    public static TheoryData<CompressionType> AllCodecs => new()
    {
        CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    // Value length -9: the case found by hand.
    [InlineData("0E 000000 01 11 00", "value length -9 is negative and not -1")]
    // Record length -1.
    [InlineData("01 00000000000000", "negative length -1")]
    // Key length past the end of the record.
    [InlineData("0E 000000 14 6162 00", "key needs 10 bytes but only 3 are left")]
    // A timestamp delta whose varint never ends.
    [InlineData("0E00 808080808080", "timestamp delta runs past the end of the record")]
    // A record length longer than any int.
    [InlineData("FFFFFFFFFF0000", "length varint is too long")]
    // Header count int.MaxValue.
    [InlineData("1A 000000 01 01 FEFFFFFF0F 000000000000", "header count 2147483647 cannot fit")]
    // Header key length -1: header keys cannot be null.
    [InlineData("10 000000 01 01 02 01 01", "header 0 has a negative key length -1")]
    // Record length 9, but its fields take 6.
    [InlineData("12 000000 01 01 00 000000", "record 0 declares 9 bytes but its fields take 6")]
    public void A_batch_with_a_malformed_record_is_refused_before_anything_is_written(string sectionHex, string problem)
    {
        var batch = Batches.Assemble(Convert.FromHexString(sectionHex.Replace(" ", "", StringComparison.Ordinal)), recordCount: 1);
        using var log = PartitionLog.Open(Path.Combine(Path.GetTempPath(), "herald-validation", "p-0"), fileSystem: new MemoryFileSystem());

        var refused = log.Append(batch);

        Assert.Equal(BatchError.MalformedRecords, refused.Error);
        Assert.Contains(problem, refused.Problem, StringComparison.Ordinal);
        Assert.Equal(0, log.LogEndOffset);
        Assert.Throws<InvalidRecordBatchException>(() => RecordBatchReader.ReadAll(batch)); // the reader agrees
    }

    [Fact]
    public void Offset_deltas_other_than_0_to_n_minus_1_are_refused()
    {
        // Attributes, timestamp delta, offset delta 5, null key, null value, no headers: well formed, but not as produced.
        var batch = Batches.Assemble(Convert.FromHexString("0C00000A010100"), recordCount: 1);

        Assert.Equal(BatchError.MalformedRecords, BatchValidator.ValidateRecordSet(batch, 1 << 20, out var problem));
        Assert.Contains("record 0 has offset delta 5", problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Fewer_or_more_records_than_the_header_states_are_refused(CompressionType codec)
    {
        var two = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, [new(1, null, "a"u8.ToArray()), new(2, null, "b"u8.ToArray())]);
        var statesOne = (byte[])two.Clone();
        BinaryPrimitives.WriteInt32BigEndian(statesOne.AsSpan(57), 1);
        BinaryPrimitives.WriteInt32BigEndian(statesOne.AsSpan(23), 0);
        Batches.FixCrc(statesOne);
        var statesThree = (byte[])two.Clone();
        BinaryPrimitives.WriteInt32BigEndian(statesThree.AsSpan(57), 3);
        BinaryPrimitives.WriteInt32BigEndian(statesThree.AsSpan(23), 2);
        Batches.FixCrc(statesThree);

        Assert.Equal(BatchError.None, BatchValidator.ValidateRecordSet(two, 1 << 20));
        Assert.Equal(BatchError.MalformedRecords, BatchValidator.ValidateRecordSet(statesOne, 1 << 20, out var extra));
        Assert.Contains("bytes follow the 1 records", extra, StringComparison.Ordinal);
        // Uncompressed, the header check already finds that two records' bytes cannot hold three.
        Assert.NotEqual(BatchError.None, BatchValidator.ValidateRecordSet(statesThree, 1 << 20));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void A_malformed_record_inside_compressed_records_is_refused(CompressionType codec)
    {
        var section = Convert.FromHexString("0E00000001110" + "0");
        using var compressed = new Internal.PooledBufferWriter(256);
        Internal.RecordCompression.Compress(codec, section, compressed);
        var batch = Batches.Assemble(compressed.WrittenSpan, recordCount: 1, compression: codec);

        Assert.Equal(BatchError.MalformedRecords, BatchValidator.ValidateRecordSet(batch, 1 << 20, out var problem));
        Assert.Contains("value length -9", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void Garbage_in_place_of_compressed_records_is_refused(CompressionType codec)
    {
        var batch = Batches.Assemble(Batches.Random(500, seed: 3), recordCount: 1, compression: codec);

        Assert.Equal(BatchError.MalformedRecords, BatchValidator.ValidateRecordSet(batch, 1 << 20));
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void A_decompression_bomb_is_refused_without_inflating_it(CompressionType codec)
    {
        // Snappy cannot shrink 80 MiB into one batch, so its bomb is many blocks of the same.
        var value = new byte[BatchValidator.MaxDecompressedBytes + (1 << 20)];
        var bomb = Batches.Build(RecordBatchOptions.Default with { Compression = codec }, [new(1, null, value)]);
        Assert.Equal(BatchError.DecompressedTooLarge, BatchValidator.ValidateRecordSet(bomb, int.MaxValue));

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(BatchError.DecompressedTooLarge, BatchValidator.ValidateRecordSet(bomb, int.MaxValue, out var problem));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains($"more than {BatchValidator.MaxDecompressedBytes} bytes", problem, StringComparison.Ordinal);
        Assert.True(allocated < 10 * 1024 * 1024, $"{allocated} bytes allocated checking a {value.Length}-byte bomb");
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void Well_formed_batches_of_every_codec_pass(CompressionType codec)
    {
        var batch = Batches.Build(
            RecordBatchOptions.Default with { Compression = codec },
            [
                new(1, "key"u8.ToArray(), Batches.Random(70_000, seed: 1), new TestHeader("h", [1]), new TestHeader("n", null)),
                new(-5, null, Batches.Repetitive(300_000)),
                new(9, [], null),
            ]);

        Assert.Equal(BatchError.None, BatchValidator.ValidateRecordSet(batch, int.MaxValue, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void The_check_accepts_exactly_what_readers_can_read()
    {
        var batches = new Dictionary<CompressionType, byte[]>();
        foreach (var codec in Enum.GetValues<CompressionType>())
        {
            batches[codec] = Batches.Build(
                RecordBatchOptions.Default with { Compression = codec },
                [
                    new(1, "key"u8.ToArray(), "value"u8.ToArray(), new TestHeader("h", [1]), new TestHeader("n", null)),
                    new(-5, null, Batches.Repetitive(300)),
                    new(9, [], null),
                ]);
        }

        Gen.Select(Gen.Enum<CompressionType>(), Gen.Int[RecordBatchHeader.Size, 10_000], Gen.Byte).Sample((codec, where, value) =>
        {
            var batch = (byte[])batches[codec].Clone();
            batch[RecordBatchHeader.Size + ((where - RecordBatchHeader.Size) % (batch.Length - RecordBatchHeader.Size))] = value;
            Batches.FixCrc(batch);

            var accepted = BatchValidator.ValidateRecordSet(batch, int.MaxValue) == BatchError.None;
            bool readable;
            try
            {
                var records = Assert.Single(RecordBatchReader.ReadAll(batch)).Records;
                readable = records.Select((r, i) => r.Offset == i).All(inOrder => inOrder);
            }
            catch (InvalidRecordBatchException)
            {
                readable = false;
            }

            Assert.Equal(readable, accepted);
        }, iter: 5000);
    }
}
