using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace Herald.Storage.Internal;

/// <summary>
/// Snappy over the records section. Writes the xerial framing that Kafka's Java client writes; reads both that framing
/// and a bare snappy block (what librdkafka writes), told apart by the xerial magic.
/// </summary>
internal static class SnappyCodec
{
    private const int XerialHeaderSize = 16;
    private const int XerialVersion = 1;
    private const int XerialCompatibleVersion = 1;

    // snappy-java's SnappyOutputStream default block size.
    private const int XerialBlockSize = 32 * 1024;

    // The largest expansion of any snappy element is a 64-byte copy from a 3-byte tag; anything claiming more
    // is corrupt, and refusing it early avoids sizing a buffer by a forged length.
    private const int MaxExpansion = 22;

    private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

    public static void Compress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination)
    {
        var header = destination.GetSpan(XerialHeaderSize);
        XerialMagic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], XerialVersion);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], XerialCompatibleVersion);
        destination.Advance(XerialHeaderSize);

        while (!source.IsEmpty)
        {
            var block = source[..Math.Min(XerialBlockSize, source.Length)];
            var output = destination.GetSpan(sizeof(int) + Snappy.GetMaxCompressedLength(block.Length));
            int written = Snappy.Compress(block, output[sizeof(int)..]);
            BinaryPrimitives.WriteInt32BigEndian(output, written);
            destination.Advance(sizeof(int) + written);
            source = source[block.Length..];
        }
    }

    public static bool TryDecompress(ReadOnlySpan<byte> source, IBufferWriter<byte> destination, int maxBytes)
    {
        long budget = maxBytes;
        if (!source.StartsWith(XerialMagic))
        {
            return TryDecompressBlock(source, destination, ref budget);
        }

        if (source.Length < XerialHeaderSize)
        {
            throw new InvalidDataException($"The xerial snappy header needs {XerialHeaderSize} bytes, got {source.Length}.");
        }

        int position = XerialHeaderSize;
        while (position < source.Length)
        {
            if (source.Length - position < sizeof(int))
            {
                throw new InvalidDataException($"The xerial snappy block length at byte {position} is truncated.");
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(source[position..]);
            position += sizeof(int);
            if (length < 0 || length > source.Length - position)
            {
                throw new InvalidDataException(
                    $"The xerial snappy block at byte {position} claims {length} bytes, {source.Length - position} remain.");
            }

            if (!TryDecompressBlock(source.Slice(position, length), destination, ref budget))
            {
                return false;
            }

            position += length;
        }

        return true;
    }

    private static bool TryDecompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> destination, ref long budget)
    {
        int length = Snappy.GetUncompressedLength(block);
        if (length > budget)
        {
            return false;
        }

        if (length > (long)block.Length * MaxExpansion)
        {
            throw new InvalidDataException($"A {block.Length}-byte snappy block cannot hold {length} bytes.");
        }

        var output = destination.GetSpan(length)[..length];
        int written = Snappy.Decompress(block, output);
        destination.Advance(written);
        budget -= written;
        return true;
    }
}
