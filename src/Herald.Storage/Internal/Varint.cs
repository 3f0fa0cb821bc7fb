using System.Buffers;
using System.Numerics;

namespace Herald.Storage.Internal;

/// <summary>
/// Zigzag varints as Kafka's record format uses them: the sign is folded into the low bit, then the value is written
/// seven bits at a time, least significant group first, with the high bit of each byte set when more follow.
/// </summary>
internal static class Varint
{
    public const int MaxInt32Length = 5;
    public const int MaxInt64Length = 10;

    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    public static int SizeOf(int value) => (BitOperations.Log2(ZigZag(value) | 1) + 7) / 7;

    public static int SizeOf(long value) => (BitOperations.Log2(ZigZag(value) | 1) + 7) / 7;

    /// <summary>Writes <paramref name="value"/> and returns the bytes written. The caller guarantees the room.</summary>
    public static int Write(Span<byte> destination, int value) => WriteUnsigned(destination, ZigZag(value));

    /// <summary>Writes <paramref name="value"/> and returns the bytes written. The caller guarantees the room.</summary>
    public static int Write(Span<byte> destination, long value) => WriteUnsigned(destination, ZigZag(value));

    /// <summary>
    /// Reads a zigzag varint of at most 32 bits from the start of <paramref name="source"/>.
    /// Returns <see cref="OperationStatus.NeedMoreData"/> when the bytes end mid-varint, and
    /// <see cref="OperationStatus.InvalidData"/> when it runs longer than five bytes or carries more than 32 bits.
    /// </summary>
    public static OperationStatus Read(ReadOnlySpan<byte> source, out int value, out int bytesRead)
    {
        // The fifth byte holds only the top four bits.
        var status = ReadUnsigned(source, MaxInt32Length, 0x0F, out var raw, out bytesRead);
        value = status == OperationStatus.Done ? UnZigZag((uint)raw) : 0;
        return status;
    }

    /// <summary>
    /// Reads a zigzag varint of at most 64 bits from the start of <paramref name="source"/>.
    /// Returns <see cref="OperationStatus.NeedMoreData"/> when the bytes end mid-varint, and
    /// <see cref="OperationStatus.InvalidData"/> when it runs longer than ten bytes or carries more than 64 bits.
    /// </summary>
    public static OperationStatus Read(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        // The tenth byte holds only the top bit.
        var status = ReadUnsigned(source, MaxInt64Length, 0x01, out var raw, out bytesRead);
        value = status == OperationStatus.Done ? UnZigZag(raw) : 0;
        return status;
    }

    private static OperationStatus ReadUnsigned(ReadOnlySpan<byte> source, int maxLength, byte lastByteMax, out ulong value, out int bytesRead)
    {
        value = 0;
        bytesRead = 0;
        ulong result = 0;
        for (var i = 0; i < maxLength && i < source.Length; i++)
        {
            var b = source[i];
            if (i == maxLength - 1 && b > lastByteMax)
            {
                return OperationStatus.InvalidData;
            }

            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = result;
                bytesRead = i + 1;
                return OperationStatus.Done;
            }
        }

        return OperationStatus.NeedMoreData;
    }

    private static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
