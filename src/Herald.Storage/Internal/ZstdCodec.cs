using System.Buffers;
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
    public static bool TryDecompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        using var decompressor = new Decompressor();
        int windowLog = Math.Clamp(BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(maxBytes, 1))), MinWindowLog, MaxWindowLog);
        decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, windowLog);
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
