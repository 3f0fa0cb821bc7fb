using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>Compresses and decompresses a batch's records section with the codec its attributes name.</summary>
internal static class RecordCompression
{
    /// <summary>Appends the compressed form of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        switch (type)
        {
            case CompressionType.None:
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(source, destination);
                break;
            case CompressionType.Snappy:
                SnappyCodec.Compress(source, destination);
                break;
            case CompressionType.Lz4:
                Lz4Codec.Compress(source, destination);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(source, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown compression type.");
        }
    }

    /// <summary>
    /// Appends the decompressed form of <paramref name="source"/> to <paramref name="destination"/>, stopping as soon as
    /// it would exceed <paramref name="maxBytes"/>.
    /// </summary>
    /// <returns>False when the output would exceed <paramref name="maxBytes"/>; what was written so far is then meaningless.</returns>
    /// <exception cref="InvalidDataException">When <paramref name="source"/> is not valid data for the codec.</exception>
    /// <remarks>The codec libraries may throw other exceptions on corrupt input; callers treat any of them as corruption.</remarks>
    public static bool TryDecompress(CompressionType type, ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        if (source.IsEmpty && type != CompressionType.None)
        {
            throw new InvalidDataException($"An empty {type} stream is not valid.");
        }

        switch (type)
        {
            case CompressionType.None:
                if (source.Length > maxBytes)
                {
                    return false;
                }

                destination.Write(source);
                return true;
            case CompressionType.Gzip:
                return GzipCodec.TryDecompress(source, destination, maxBytes);
            case CompressionType.Snappy:
                return SnappyCodec.TryDecompress(source, destination, maxBytes);
            case CompressionType.Lz4:
                return Lz4Codec.TryDecompress(source, destination, maxBytes);
            case CompressionType.Zstd:
                return ZstdCodec.TryDecompress(source, destination, maxBytes);
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown compression type.");
        }
    }
}
