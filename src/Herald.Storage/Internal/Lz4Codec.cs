using System.Buffers;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace Herald.Storage.Internal;

/// <summary>The LZ4 frame format over the records section, which is what RecordBatch v2 uses.</summary>
internal static class Lz4Codec
{
    // Kafka's Java producer writes independent 64 KiB blocks with neither block nor content checksums
    // (the batch CRC already covers the bytes), so Herald writes the same frames.
    private static readonly LZ4EncoderSettings EncoderSettings = new()
    {
        ChainBlocks = false,
        BlockSize = 64 * 1024,
        BlockChecksum = false,
        ContentChecksum = false,
        CompressionLevel = LZ4Level.L00_FAST,
    };

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination) =>
        LZ4Frame.Encode(source, destination, EncoderSettings);

    public static unsafe bool TryDecompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var lz4 = LZ4Stream.Decode(input, extraMemory: 0, leaveOpen: false, interactive: false);
            return BoundedCopy.TryCopy(lz4, destination, maxBytes);
        }
    }
}
