using System.Buffers.Binary;
using System.Text;

namespace Herald.Kafka.Protocol;

/// <summary>
/// Reads Kafka's primitive types from one request or response. Every length is checked against the bytes left before
/// anything is allocated, so a malformed frame raises <see cref="KafkaProtocolException"/> and never a large allocation.
/// </summary>
public ref struct KafkaReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Memory<byte> _buffer;
    private readonly Utf8StringCache? _strings;
    private int _position;

    /// <summary>
    /// Reads from <paramref name="buffer"/>; <c>records</c> fields are returned as slices of it. Strings come from
    /// <paramref name="strings"/> when given, so repeated names are not allocated again.
    /// </summary>
    public KafkaReader(Memory<byte> buffer, Utf8StringCache? strings = null)
    {
        _buffer = buffer;
        _strings = strings;
    }

    /// <summary>The bytes read so far.</summary>
    public readonly int Position => _position;

    /// <summary>The bytes not read yet.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>Reads a bool (one byte, non-zero is true).</summary>
    public bool ReadBool() => Take(1)[0] != 0;

    /// <summary>Reads an int8.</summary>
    public sbyte ReadInt8() => (sbyte)Take(1)[0];

    /// <summary>Reads a big-endian int16.</summary>
    public short ReadInt16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    /// <summary>Reads a big-endian uint16.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    /// <summary>Reads a big-endian int32.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    /// <summary>Reads a big-endian uint32.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    /// <summary>Reads a big-endian int64.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Reads a big-endian IEEE 754 float64.</summary>
    public double ReadFloat64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    /// <summary>Reads a UUID (16 bytes, most significant first).</summary>
    public Guid ReadUuid() => new(Take(16), bigEndian: true);

    /// <summary>Reads an unsigned varint of at most 32 bits.</summary>
    public int ReadUnsignedVarint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                if (value > int.MaxValue)
                {
                    throw new KafkaProtocolException($"An unsigned varint of {value} is too large.");
                }

                return (int)value;
            }
        }

        throw new KafkaProtocolException("An unsigned varint is longer than 5 bytes.");
    }

    /// <summary>Reads a string that may not be null.</summary>
    public string ReadString(bool compact) =>
        ReadNullableString(compact) ?? throw new KafkaProtocolException("A non-nullable string is null.");

    /// <summary>Reads a string (int16 length, or compact unsigned-varint length + 1), where -1 means null.</summary>
    public string? ReadNullableString(bool compact)
    {
        var length = compact ? ReadUnsignedVarint() - 1 : ReadInt16();
        if (length < 0)
        {
            return null;
        }

        var bytes = Take(length);
        try
        {
            return _strings is null ? StrictUtf8.GetString(bytes) : _strings.Get(bytes, StrictUtf8);
        }
        catch (DecoderFallbackException)
        {
            throw new KafkaProtocolException($"A string of {length} bytes is not valid UTF-8.");
        }
    }

    /// <summary>Reads bytes that may not be null.</summary>
    public byte[] ReadBytes(bool compact) =>
        ReadNullableBytes(compact) ?? throw new KafkaProtocolException("A non-nullable bytes field is null.");

    /// <summary>Reads bytes (int32 length, or compact), where -1 means null.</summary>
    public byte[]? ReadNullableBytes(bool compact)
    {
        var length = compact ? ReadUnsignedVarint() - 1 : ReadInt32();
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>Reads a record set as a slice of the buffer, without copying; null when absent.</summary>
    public Memory<byte>? ReadRecords(bool compact)
    {
        var length = compact ? ReadUnsignedVarint() - 1 : ReadInt32();
        if (length < 0)
        {
            return null;
        }

        Take(length);
        return _buffer.Slice(_position - length, length);
    }

    /// <summary>Reads an array length (int32, or compact), where -1 means null. A length no remaining bytes could hold is refused.</summary>
    public int ReadArrayLength(bool compact)
    {
        var length = compact ? ReadUnsignedVarint() - 1 : ReadInt32();
        if (length > Remaining)
        {
            throw new KafkaProtocolException($"An array of {length} elements is longer than the {Remaining} bytes left.");
        }

        return Math.Max(length, -1);
    }

    /// <summary>Skips a tagged-field section whose tags are all unknown to the reader.</summary>
    public void SkipTaggedFields()
    {
        var count = ReadUnsignedVarint();
        for (var i = 0; i < count; i++)
        {
            ReadUnsignedVarint(); // the tag
            Skip(ReadUnsignedVarint());
        }
    }

    /// <summary>Skips <paramref name="count"/> bytes, such as an unknown tagged field.</summary>
    public void Skip(int count) => Take(count);

    /// <summary>Checks that a tagged field ended where its size said.</summary>
    public readonly void ExpectPosition(int position)
    {
        if (_position != position)
        {
            throw new KafkaProtocolException($"A tagged field ended at byte {_position}, not at {position} as its size said.");
        }
    }

    private Span<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new KafkaProtocolException($"Needed {count} bytes at byte {_position}, but only {Remaining} are left.");
        }

        var span = _buffer.Span.Slice(_position, count);
        _position += count;
        return span;
    }
}
