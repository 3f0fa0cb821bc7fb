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
        uint result = 0;
        for (int i = 0; i < MaxInt32Length; i++)
        {
            if (i == source.Length)
            {
                break;
            }

            byte b = source[i];
            // The fifth byte holds only the top four bits; anything above them, or a continuation bit, is not an int.
            if (i == MaxInt32Length - 1 && b > 0x0F)
            {
                value = 0;
                bytesRead = 0;
                return OperationStatus.InvalidData;
            }

            result |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = UnZigZag(result);
                bytesRead = i + 1;
                return OperationStatus.Done;
            }
        }

        value = 0;
        bytesRead = 0;
        return OperationStatus.NeedMoreData;
    }

    /// <summary>
    /// Reads a zigzag varint of at most 64 bits from the start of <paramref name="source"/>.
    /// Returns <see cref="OperationStatus.NeedMoreData"/> when the bytes end mid-varint, and
    /// <see cref="OperationStatus.InvalidData"/> when it runs longer than ten bytes or carries more than 64 bits.
    /// </summary>
    public static OperationStatus Read(ReadOnlySpan<byte> source, out long value, out int bytesRead)
    {
        ulong result = 0;
        for (int i = 0; i < MaxInt64Length; i++)
        {
            if (i == source.Length)
            {
                break;
            }

            byte b = source[i];
            // The tenth byte holds only the top bit.
            if (i == MaxInt64Length - 1 && b > 0x01)
            {
                value = 0;
                bytesRead = 0;
                return OperationStatus.InvalidData;
            }

            result |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                value = UnZigZag(result);
                bytesRead = i + 1;
                return OperationStatus.Done;
            }
        }

        value = 0;
        bytesRead = 0;
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
