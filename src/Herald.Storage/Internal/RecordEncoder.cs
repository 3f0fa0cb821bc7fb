using System.Text;

namespace Herald.Storage.Internal;

/// <summary>Encodes one record of a RecordBatch v2 records section: a length-prefixed body of zigzag varints and bytes.</summary>
internal static class RecordEncoder
{
    private const int NullLength = -1;

    /// <summary>The size of the record body, the part its length prefix counts.</summary>
    /// <exception cref="ArgumentException">When a header has a null key.</exception>
    public static long GetBodySize(
        long timestampDelta, int offsetDelta, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, ReadOnlySpan<RecordHeader> headers)
    {
        long size = 1 // attributes, always 0
            + Varint.SizeOf(timestampDelta)
            + Varint.SizeOf(offsetDelta)
            + SizeOfBytes(key)
            + SizeOfBytes(value)
            + Varint.SizeOf(headers.Length);

        for (int i = 0; i < headers.Length; i++)
        {
            var header = headers[i];
            if (header.Key is null)
            {
                throw new ArgumentException($"Header {i} has a null key; Kafka header keys are required.", nameof(headers));
            }

            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            size += Varint.SizeOf(keyBytes) + keyBytes + SizeOfBytes(header.Value);
        }

        return size;
    }

    /// <summary>Writes the length prefix and the body into <paramref name="destination"/>, which must have room for both.</summary>
    /// <returns>The bytes written.</returns>
    public static int Write(
        Span<byte> destination,
        int bodySize,
        long timestampDelta,
        int offsetDelta,
        ReadOnlyMemory<byte>? key,
        ReadOnlyMemory<byte>? value,
        ReadOnlySpan<RecordHeader> headers)
    {
        int position = Varint.Write(destination, bodySize);
        destination[position++] = 0;
        position += Varint.Write(destination[position..], timestampDelta);
        position += Varint.Write(destination[position..], offsetDelta);
        position += WriteBytes(destination[position..], key);
        position += WriteBytes(destination[position..], value);
        position += Varint.Write(destination[position..], headers.Length);
        foreach (var header in headers)
        {
            int keyBytes = Encoding.UTF8.GetByteCount(header.Key);
            position += Varint.Write(destination[position..], keyBytes);
            position += Encoding.UTF8.GetBytes(header.Key, destination[position..]);
            position += WriteBytes(destination[position..], header.Value);
        }

        return position;
    }

    private static long SizeOfBytes(ReadOnlyMemory<byte>? bytes) =>
        bytes is { } b ? Varint.SizeOf(b.Length) + (long)b.Length : Varint.SizeOf(NullLength);

    private static int WriteBytes(Span<byte> destination, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } b)
        {
            return Varint.Write(destination, NullLength);
        }

        int position = Varint.Write(destination, b.Length);
        b.Span.CopyTo(destination[position..]);
        return position + b.Length;
    }
}
