using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Herald.Storage.Internal;

/// <summary>Zstandard frames over the records section.</summary>
internal static class ZstdCodec
{
    // Kafka's default zstd level.
    private const int Level = 3;

    // A frame header alone can make the decoder reserve its whole window. Windows are capped near the decompression
    // limit, but never below 8 MiB (what encoders up to level 19 use) nor above zstd's own default of 128 MiB.
    private const int MinWindowLog = 23;
    private const int MaxWindowLog = 27;

    // A compression context is costly to create and compress sits on the produce path, so each thread keeps one.
    [ThreadStatic]
    private static Compressor? t_compressor;

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var compressor = t_compressor ??= new Compressor(Level);
        var output = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        int written = compressor.Wrap(source, output);
        destination.Advance(written);
    }

    /// <summary>
    /// Decompresses one or more frames by streaming, so that frames which do not state their content size
    /// (what the Java client and librdkafka write) decode, and the output never grows past <paramref name="maxBytes"/>.
    /// </summary>
    /// <summary>The largest window (as a power of two) a frame may ask for when at most <paramref name="maxBytes"/> may come out.</summary>
    public static int WindowLogFor(int maxBytes) =>
        Math.Clamp(BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(maxBytes, 1))), MinWindowLog, MaxWindowLog);

    /// <summary>
    /// The window the first frame of <paramref name="section"/> declares in its header, which is what a decoder allocates
    /// for it; null when the header cannot be read.
    /// </summary>
    public static long? DeclaredWindow(ReadOnlySpan<byte> section)
    {
        const uint Magic = 0xFD2FB528;
        if (section.Length < 6 || BinaryPrimitives.ReadUInt32LittleEndian(section) != Magic)
        {
            return null;
        }

        var descriptor = section[4];
        if ((descriptor & 0x20) == 0)
        {
            var window = section[5];
            var windowBase = 1L << (10 + (window >> 3));
            return windowBase + (windowBase / 8 * (window & 7));
        }

        // A single segment frame's window is its content size, which follows the dictionary id.
        var dictionaryBytes = (descriptor & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        var sizeBytes = (descriptor >> 6) switch { 0 => 1, 1 => 2, 2 => 4, _ => 8 };
        var at = 5 + dictionaryBytes;
        if (section.Length < at + sizeBytes)
        {
            return null;
        }

        var size = sizeBytes switch
        {
            1 => section[at],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(section[at..]) + 256L,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(section[at..]),
            _ => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(section[at..]), long.MaxValue),
        };
        return size;
    }

    public static bool TryDecompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        using var decompressor = new Decompressor();
        decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, WindowLogFor(maxBytes));
        long total = 0;
        while (true)
        {
            var chunk = BoundedCopy.NextChunk(destination, total, maxBytes);
            var status = decompressor.UnwrapStream(source, chunk, out int consumed, out int written);
            source = source[consumed..];
            total += written;
            if (total > maxBytes)
            {
                return false;
            }

            destination.Advance(written);
            switch (status)
            {
                case OperationStatus.Done when source.IsEmpty:
                    return true;
                case OperationStatus.InvalidData:
                    throw new InvalidDataException("The zstd data is corrupt.");
                case OperationStatus.NeedMoreData when source.IsEmpty:
                    throw new InvalidDataException("The zstd data ends in the middle of a frame.");
            }

            if (consumed == 0 && written == 0)
            {
                throw new InvalidDataException("The zstd decoder made no progress.");
            }
        }
    }
}
