using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>Drains a decompressing stream into a buffer writer without ever holding more than a set number of bytes.</summary>
internal static class BoundedCopy
{
    // Big enough that per-read overhead vanishes, small enough that a bomb is caught after at most one chunk too many.
    public const int ChunkSize = 64 * 1024;

    /// <summary>Copies everything <paramref name="source"/> yields; returns false as soon as it exceeds <paramref name="maxBytes"/>.</summary>
    public static bool TryCopy(Stream source, IBufferWriter<byte> destination, int maxBytes)
    {
        long total = 0;
        while (true)
        {
            var chunk = NextChunk(destination, total, maxBytes);
            int read = source.Read(chunk);
            if (read == 0)
            {
                return true;
            }

            total += read;
            if (total > maxBytes)
            {
                return false;
            }

            destination.Advance(read);
        }
    }

    /// <summary>
    /// The next span to decompress into: at most one byte more than the budget has left,
    /// so that crossing the limit shows without filling a whole chunk.
    /// </summary>
    public static Span<byte> NextChunk(IBufferWriter<byte> destination, long written, int maxBytes)
    {
        long room = Math.Min(ChunkSize, maxBytes - written + 1);
        return destination.GetSpan((int)room)[..(int)room];
    }
}
