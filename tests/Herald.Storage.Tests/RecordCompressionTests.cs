using System.Buffers;
using System.Buffers.Binary;
using Herald.Storage.Internal;
using Herald.Storage.Tests.Support;
using Snappier;
using ZstdSharp;

namespace Herald.Storage.Tests;

public class RecordCompressionTests
{
    public static TheoryData<CompressionType> Codecs => new()
    {
        CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd,
    };

    [Theory]
    [InlineData(CompressionType.Gzip, "1F8B")]
    [InlineData(CompressionType.Lz4, "04224D18")]
    [InlineData(CompressionType.Zstd, "28B52FFD")]
    [InlineData(CompressionType.Snappy, "82534E415050590000000001" + "00000001")]
    public void Compressed_output_starts_with_the_codecs_magic(CompressionType codec, string magicHex)
    {
        var output = Compress(codec, Batches.Repetitive(1000));

        Assert.Equal(Convert.FromHexString(magicHex), output[..(magicHex.Length / 2)]);
    }

    [Fact]
    public void Lz4_frames_use_independent_64_KiB_blocks_without_checksums_like_the_java_producer()
    {
        var output = Compress(CompressionType.Lz4, Batches.Repetitive(1000));

        // FLG: version 01, independent blocks, no block checksum, no content size, no content checksum.
        Assert.Equal(0x60, output[4]);
        // BD: maximum block size 64 KiB.
        Assert.Equal(0x40, output[5]);
    }

    [Fact]
    public void Snappy_writes_xerial_blocks_of_32_KiB_uncompressed()
    {
        var input = Batches.Random(100_000, seed: 1);
        var output = Compress(CompressionType.Snappy, input);

        var blockSizes = new List<int>();
        int position = 16;
        while (position < output.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(output.AsSpan(position));
            position += 4;
            blockSizes.Add(Snappy.GetUncompressedLength(output.AsSpan(position, length)));
            position += length;
        }

        Assert.Equal(output.Length, position);
        Assert.Equal([32768, 32768, 32768, 100_000 - (3 * 32768)], blockSizes);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Every_codec_round_trips_bytes(CompressionType codec)
    {
        foreach (var input in new[] { [0x42], Batches.Random(70_000, seed: 2), Batches.Repetitive(300_000) })
        {
            var compressed = Compress(codec, input);

            Assert.Equal(input, Decompress(codec, compressed, int.MaxValue));
        }
    }

    [Fact]
    public void Raw_snappy_block_decodes_as_librdkafka_writes_it()
    {
        var input = Batches.Repetitive(50_000);
        var raw = Snappy.CompressToArray(input);

        Assert.NotEqual(0x82, raw[0]);
        Assert.Equal(input, Decompress(CompressionType.Snappy, raw, int.MaxValue));
    }

    [Fact]
    public void Xerial_framed_snappy_decodes_as_the_java_client_writes_it()
    {
        var first = Batches.Repetitive(40_000);
        var second = Batches.Random(5_000, seed: 3);
        var framed = new List<byte>
        {
            0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1,
        };
        foreach (var block in new[] { Snappy.CompressToArray(first), Snappy.CompressToArray(second) })
        {
            var length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, block.Length);
            framed.AddRange(length);
            framed.AddRange(block);
        }

        Assert.Equal([.. first, .. second], Decompress(CompressionType.Snappy, [.. framed], int.MaxValue));
    }

    [Fact]
    public void Zstd_frame_without_a_content_size_decodes_as_streaming_encoders_write_it()
    {
        var input = Batches.Repetitive(200_000);
        using var compressor = new Compressor(3);
        var output = new byte[Compressor.GetCompressBound(input.Length)];
        // Feeding the input in pieces keeps the encoder from learning the total size, as in Java's and librdkafka's streams.
        compressor.WrapStream(input.AsSpan(0, 100_000), output, out int consumed, out int written, isFinalBlock: false);
        int total = written;
        compressor.WrapStream(input.AsSpan(consumed), output.AsSpan(total), out _, out written, isFinalBlock: true);
        total += written;
        var frame = output[..total];

        // Frame header descriptor: no Frame_Content_Size field and not single-segment.
        Assert.Equal(0, frame[4] & 0xE0);
        Assert.Equal(input, Decompress(CompressionType.Zstd, frame, int.MaxValue));
    }

    [Fact]
    public void Zstd_frame_declaring_a_window_far_beyond_the_limit_is_refused()
    {
        // Magic; no content size; window descriptor 2^27; one last raw block of one byte.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x88, 0x09, 0x00, 0x00, 0x42];
        // Window descriptor 2^20: the same frame is fine when it declares a modest window.
        byte[] modest = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x50, 0x09, 0x00, 0x00, 0x42];
        using var output = new PooledBufferWriter(256);

        Assert.Equal([0x42], Decompress(CompressionType.Zstd, modest, 1024 * 1024));
        Assert.Equal([0x42], Decompress(CompressionType.Zstd, frame, int.MaxValue));
        Assert.Throws<InvalidDataException>(() => RecordCompression.TryDecompress(CompressionType.Zstd, frame, output, 1024 * 1024));
    }

    [Fact]
    public void Concatenated_zstd_frames_decode_to_their_concatenation()
    {
        var first = Batches.Repetitive(10_000);
        var second = Batches.Random(10_000, seed: 4);

        var both = Decompress(CompressionType.Zstd, [.. Compress(CompressionType.Zstd, first), .. Compress(CompressionType.Zstd, second)], int.MaxValue);

        Assert.Equal([.. first, .. second], both);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompression_fits_exactly_at_the_limit_and_stops_one_byte_under_it(CompressionType codec)
    {
        var input = Batches.Repetitive(150_000);
        var compressed = Compress(codec, input);

        Assert.Equal(input, Decompress(codec, compressed, input.Length));
        using var output = new PooledBufferWriter(256);
        Assert.False(RecordCompression.TryDecompress(codec, compressed, output, input.Length - 1));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Decompression_bomb_stops_near_the_limit_instead_of_inflating(CompressionType codec)
    {
        var compressed = Compress(codec, new byte[32 * 1024 * 1024]);
        using var output = new PooledBufferWriter(256);

        Assert.False(RecordCompression.TryDecompress(codec, compressed, output, 1024 * 1024));
        Assert.True(output.WrittenCount <= 1024 * 1024, $"{output.WrittenCount} bytes were kept");
    }

    [Fact]
    public void Snappy_block_claiming_more_than_snappy_can_expand_is_refused_before_allocating()
    {
        // A varint uncompressed length of 0x3FFFFFFF followed by almost nothing.
        byte[] forged = [0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0x00];
        // Warm up the code path with a valid block, so that only the forged one is measured.
        Assert.Equal([1, 2, 3], Decompress(CompressionType.Snappy, Snappy.CompressToArray([1, 2, 3]), int.MaxValue));
        using var output = new PooledBufferWriter(256);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => RecordCompression.TryDecompress(CompressionType.Snappy, forged, output, int.MaxValue));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, output.WrittenCount);
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated for a 6-byte block");
    }

    private static byte[] Compress(CompressionType codec, byte[] input)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordCompression.Compress(codec, input, output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(CompressionType codec, byte[] input, int maxBytes)
    {
        using var output = new PooledBufferWriter(256);
        Assert.True(RecordCompression.TryDecompress(codec, input, output, maxBytes));
        return output.WrittenSpan.ToArray();
    }
}
