using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Herald.Storage.Internal;

/// <summary>
/// The decompressed bytes of a compressed records section, pulled in pieces so that memory stays bounded however far
/// the section inflates. Reserves what its codec may hold from a <see cref="DecompressionBudget"/> before it starts.
/// The compressed bytes must stay pinned and unchanged until the source is disposed.
/// </summary>
internal abstract class RecordSource : IDisposable
{
    // A zstd decoder allocates the window a frame asks for, within the same bound readers set, plus its block buffers.
    private const int ZstdOverhead = 256 * 1024;
    private const int GzipMemory = 128 * 1024;
    private const int Lz4DefaultBlock = 4 * 1024 * 1024;

    private DecompressionBudget.Reservation _reservation;

    /// <summary>Whether the section is known, before any of it is inflated, to decompress to more than the limit it was opened with.</summary>
    public bool ExceedsLimit { get; private init; }

    /// <summary>Fills <paramref name="destination"/> with the next bytes; 0 at the end.</summary>
    /// <exception cref="InvalidDataException">When the compressed bytes are not valid for their codec.</exception>
    public abstract int Read(Span<byte> destination);

    public void Dispose()
    {
        Release();
        _reservation.Dispose();
    }

    /// <summary>Opens the section at <paramref name="section"/>, compressed with <paramref name="compression"/> (not none).</summary>
    /// <exception cref="InvalidDataException">When the section is too damaged to start decompressing.</exception>
    public static unsafe RecordSource Open(CompressionType compression, byte* section, int length, DecompressionBudget budget, long maxBytes)
    {
        if (compression == CompressionType.Snappy)
        {
            return SnappySource.Open(section, length, budget, maxBytes);
        }

        var bytes = new ReadOnlySpan<byte>(section, length);
        var windowLog = ZstdCodec.WindowLogFor((int)Math.Min(maxBytes, int.MaxValue));
        var reservation = budget.Reserve(compression switch
        {
            CompressionType.Gzip => GzipMemory,
            CompressionType.Lz4 => 2L * Lz4BlockSize(bytes) + 64 * 1024,
            CompressionType.Zstd => Math.Min(ZstdCodec.DeclaredWindow(bytes) ?? long.MaxValue, 1L << windowLog) + ZstdOverhead,
            _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "Unknown compression type."),
        });
        try
        {
            var input = new UnmanagedMemoryStream(section, length);
            Stream codec = compression switch
            {
                CompressionType.Gzip => new GZipStream(input, CompressionMode.Decompress),
                CompressionType.Lz4 => LZ4Stream.Decode(input, extraMemory: 0, leaveOpen: false, interactive: false),
                _ => Zstd(input, windowLog),
            };
            return new StreamSource(codec) { _reservation = reservation };
        }
        catch (OutOfMemoryException)
        {
            reservation.Dispose();
            throw;
        }
        catch (Exception exception)
        {
            reservation.Dispose();
            throw new InvalidDataException($"The {compression} stream cannot be opened: {exception.Message}", exception);
        }
    }

    protected abstract void Release();

    private static DecompressionStream Zstd(Stream input, int windowLog)
    {
        var stream = new DecompressionStream(input, leaveOpen: false);
        stream.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, windowLog);
        return stream;
    }

    /// <summary>The block size an LZ4 frame declares in its descriptor; the largest there is when it cannot be read.</summary>
    private static int Lz4BlockSize(ReadOnlySpan<byte> frame)
    {
        const uint Magic = 0x184D2204;
        if (frame.Length < 6 || BinaryPrimitives.ReadUInt32LittleEndian(frame) != Magic)
        {
            return Lz4DefaultBlock;
        }

        return ((frame[5] >> 4) & 0x7) switch
        {
            4 => 64 * 1024,
            5 => 256 * 1024,
            6 => 1024 * 1024,
            _ => Lz4DefaultBlock,
        };
    }

    private sealed class StreamSource(Stream codec) : RecordSource
    {
        public override int Read(Span<byte> destination)
        {
            try
            {
                return codec.Read(destination);
            }
            catch (Exception exception) when (exception is not (OutOfMemoryException or InvalidDataException))
            {
                // The input is in memory, so whatever the codec throws is about the data.
                throw new InvalidDataException(exception.Message, exception);
            }
        }

        protected override void Release() => codec.Dispose();
    }

    /// <summary>
    /// Snappy has no streaming decoder, but its blocks state their size up front: a bare block (librdkafka) or xerial's
    /// framed blocks (the Java client) are inflated one at a time into a buffer as large as the largest of them.
    /// </summary>
    private sealed unsafe class SnappySource : RecordSource
    {
        private const int XerialHeaderSize = 16;
        private const int MaxExpansion = 22; // a 64-byte copy from a 3-byte tag

        private static ReadOnlySpan<byte> XerialMagic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0x00];

        private readonly List<(int Start, int Length)> _blocks;
        private readonly byte* _section;
        private readonly byte[] _buffer;
        private int _next;
        private int _filled;
        private int _served;

        private SnappySource(byte* section, List<(int Start, int Length)> blocks, byte[] buffer)
        {
            _section = section;
            _blocks = blocks;
            _buffer = buffer;
        }

        public static SnappySource Open(byte* pointer, int length, DecompressionBudget budget, long maxBytes)
        {
            var section = new ReadOnlySpan<byte>(pointer, length);
            var blocks = Blocks(section);
            var largest = 0L;
            var total = 0L;
            foreach (var (start, size) in blocks)
            {
                var inflated = InflatedSize(section.Slice(start, size), start);
                largest = Math.Max(largest, inflated);
                total += inflated;
            }

            if (total > maxBytes)
            {
                return new SnappySource(pointer, [], []) { ExceedsLimit = true };
            }

            var reservation = budget.Reserve(largest);
            return new SnappySource(pointer, blocks, GC.AllocateUninitializedArray<byte>((int)largest)) { _reservation = reservation };
        }

        private static int InflatedSize(ReadOnlySpan<byte> block, int start)
        {
            int size;
            try
            {
                size = Snappy.GetUncompressedLength(block);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                throw new InvalidDataException($"The snappy block at byte {start} has no readable length: {exception.Message}", exception);
            }

            if (size > (long)block.Length * MaxExpansion)
            {
                throw new InvalidDataException($"A {block.Length}-byte snappy block cannot hold {size} bytes.");
            }

            return size;
        }

        public override int Read(Span<byte> destination)
        {
            while (_served == _filled)
            {
                if (_next == _blocks.Count)
                {
                    return 0;
                }

                var (start, length) = _blocks[_next++];
                var block = new ReadOnlySpan<byte>(_section + start, length);
                try
                {
                    _filled = Snappy.Decompress(block, _buffer);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    throw new InvalidDataException($"A snappy block at byte {start} cannot be decompressed: {exception.Message}", exception);
                }

                _served = 0;
            }

            var count = Math.Min(destination.Length, _filled - _served);
            _buffer.AsSpan(_served, count).CopyTo(destination);
            _served += count;
            return count;
        }

        protected override void Release()
        {
        }

        private static List<(int Start, int Length)> Blocks(ReadOnlySpan<byte> section)
        {
            if (!section.StartsWith(XerialMagic))
            {
                return [(0, section.Length)];
            }

            if (section.Length < XerialHeaderSize)
            {
                throw new InvalidDataException($"The xerial snappy header needs {XerialHeaderSize} bytes, got {section.Length}.");
            }

            var blocks = new List<(int, int)>();
            for (var position = XerialHeaderSize; position < section.Length;)
            {
                if (section.Length - position < sizeof(int))
                {
                    throw new InvalidDataException($"The xerial snappy block length at byte {position} is truncated.");
                }

                var length = BinaryPrimitives.ReadInt32BigEndian(section[position..]);
                position += sizeof(int);
                if (length < 0 || length > section.Length - position)
                {
                    throw new InvalidDataException($"The xerial snappy block at byte {position} claims {length} bytes, {section.Length - position} remain.");
                }

                blocks.Add((position, length));
                position += length;
            }

            return blocks;
        }
    }
}
