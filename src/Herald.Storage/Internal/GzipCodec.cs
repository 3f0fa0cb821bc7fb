using System.Buffers;
using System.IO.Compression;

namespace Herald.Storage.Internal;

/// <summary>gzip (RFC 1952) over the records section, as Kafka's Java client writes it.</summary>
internal static class GzipCodec
{
    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        // Optimal is zlib level 6, the level Java's GZIPOutputStream uses.
        using var gzip = new GZipStream(new BufferWriterStream(destination), CompressionLevel.Optimal, leaveOpen: false);
        gzip.Write(source);
    }

    /// <remarks>
    /// Unlike Java's, .NET's GZipStream ends quietly at a truncated stream; the records decoder then finds records
    /// missing, so a truncation still fails the read, as a records error rather than a gzip one.
    /// </remarks>
    public static unsafe bool TryDecompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            return BoundedCopy.TryCopy(gzip, destination, maxBytes);
        }
    }
}
