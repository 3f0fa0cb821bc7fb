using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Herald.Storage.Internal;

namespace Herald.Kafka.Protocol;

/// <summary>Writes Kafka's primitive types into a growable buffer rented from the shared array pool.</summary>
public sealed class KafkaWriter : IBufferWriter<byte>, IDisposable
{
    // A pool of its own, keeping a bounded number of arrays up to 4 MiB (a fetch response of a few partitions): one
    // 55 MiB response must not leave an array that size in a pool for the life of the process.
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 4 * 1024 * 1024, maxArraysPerBucket: 16);

    private readonly PooledBufferWriter _bytes;

    /// <summary>Rents room for <paramref name="capacity"/> bytes on the first write, not before.</summary>
    public KafkaWriter(int capacity = 256)
    {
        _bytes = new PooledBufferWriter(capacity, Buffers);
    }

    /// <summary>The size of the buffer held, for callers that want to give a large one back.</summary>
    public int Capacity => _bytes.Capacity;

    /// <summary>The bytes written.</summary>
    public int Length => _bytes.WrittenCount;

    /// <summary>The bytes written, valid until the next write or <see cref="Dispose"/>.</summary>
    public Memory<byte> WrittenMemory => _bytes.WrittenMemory;

    /// <summary>The bytes written, valid until the next write or <see cref="Dispose"/>.</summary>
    public Span<byte> WrittenSpan => _bytes.WrittenSpan;

    /// <summary>Writes a bool.</summary>
    public void WriteBool(bool value) => Next(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>Writes an int8.</summary>
    public void WriteInt8(sbyte value) => Next(1)[0] = (byte)value;

    /// <summary>Writes a big-endian int16.</summary>
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Next(2), value);

    /// <summary>Writes a big-endian uint16.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Next(2), value);

    /// <summary>Writes a big-endian int32.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Next(4), value);

    /// <summary>Writes a big-endian uint32.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Next(4), value);

    /// <summary>Writes a big-endian int64.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Next(8), value);

    /// <summary>Writes a big-endian float64.</summary>
    public void WriteFloat64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Next(8), value);

    /// <summary>Writes a UUID, most significant byte first.</summary>
    public void WriteUuid(Guid value) => value.TryWriteBytes(Next(16), bigEndian: true, out _);

    /// <summary>Writes an unsigned varint.</summary>
    public void WriteUnsignedVarint(int value)
    {
        var remaining = (uint)value;
        while (remaining >= 0x80)
        {
            Next(1)[0] = (byte)(remaining | 0x80);
            remaining >>= 7;
        }

        Next(1)[0] = (byte)remaining;
    }

    /// <summary>Writes a string that may not be null; null is written as empty.</summary>
    public void WriteString(string? value, bool compact) => WriteNullableString(value ?? string.Empty, compact);

    /// <summary>Writes a string, or -1 for null.</summary>
    public void WriteNullableString(string? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, wide: false);
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        WriteLength(length, compact, wide: false);
        Encoding.UTF8.GetBytes(value, Next(length));
    }

    /// <summary>Writes bytes that may not be null; null is written as empty.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value, bool compact)
    {
        WriteLength(value.Length, compact, wide: true);
        value.CopyTo(Next(value.Length));
    }

    /// <summary>Writes bytes, or -1 for null.</summary>
    public void WriteNullableBytes(byte[]? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, wide: true);
            return;
        }

        WriteBytes(value, compact);
    }

    /// <summary>Writes a record set, or -1 for null.</summary>
    public void WriteRecords(ReadOnlyMemory<byte>? value, bool compact)
    {
        if (value is not { } records)
        {
            WriteLength(-1, compact, wide: true);
            return;
        }

        WriteBytes(records.Span, compact);
    }

    /// <summary>Writes an array length, or -1 for null.</summary>
    public void WriteArrayLength(int count, bool compact) => WriteLength(count, compact, wide: true);

    /// <summary>Writes raw bytes.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Next(value.Length));

    /// <summary>Forgets everything written, keeping the buffer.</summary>
    public void Clear() => _bytes.Clear();

    /// <inheritdoc/>
    public void Advance(int count) => _bytes.Advance(count);

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.GetMemory(sizeHint);

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => _bytes.GetSpan(sizeHint);

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose() => _bytes.Dispose();

    private void WriteLength(int length, bool compact, bool wide)
    {
        if (compact)
        {
            WriteUnsignedVarint(length + 1);
        }
        else if (wide)
        {
            WriteInt32(length);
        }
        else if (length > short.MaxValue)
        {
            throw new KafkaProtocolException($"A string of {length} bytes does not fit an int16 length.");
        }
        else
        {
            WriteInt16((short)length);
        }
    }

    private Span<byte> Next(int count) => _bytes.Take(count);
}
