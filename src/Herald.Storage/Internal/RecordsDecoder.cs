using System.Buffers;
using System.Text;

namespace Herald.Storage.Internal;

/// <summary>
/// Decodes an uncompressed records section into records. Every length is checked against the bytes that remain
/// before anything is sliced or allocated, so a forged length costs nothing but the exception.
/// </summary>
internal ref struct RecordsDecoder
{
    // length, attributes, timestamp delta, offset delta, key length, value length and header count: one byte each at least.
    private const int MinRecordSize = 7;

    // A header key length and a value length, one byte each at least.
    private const int MinHeaderSize = 2;

    private readonly ReadOnlyMemory<byte> _section;
    private readonly ReadOnlySpan<byte> _span;
    private readonly RecordBatchHeader _header;
    private readonly SectionLocation _location;
    private int _position;
    private int _end;
    private int _index;

    private RecordsDecoder(ReadOnlyMemory<byte> section, RecordBatchHeader header, SectionLocation location)
    {
        _section = section;
        _span = section.Span;
        _header = header;
        _location = location;
        _end = _span.Length;
    }

    /// <summary>Decodes the <see cref="RecordBatchHeader.RecordCount"/> records of <paramref name="section"/>; keys and values slice it.</summary>
    /// <exception cref="InvalidRecordBatchException">When the section is malformed or holds a different number of records.</exception>
    public static Record[] Decode(ReadOnlyMemory<byte> section, RecordBatchHeader header, SectionLocation location)
    {
        var decoder = new RecordsDecoder(section, header, location);
        return decoder.DecodeAll();
    }

    private Record[] DecodeAll()
    {
        int count = _header.RecordCount;
        if (count > _span.Length / MinRecordSize)
        {
            throw _location.Error(
                $"the header declares {count} records but the {_span.Length}-byte records section holds at most {_span.Length / MinRecordSize}",
                0);
        }

        var records = count == 0 ? [] : new Record[count];
        for (_index = 0; _index < count; _index++)
        {
            if (_position == _span.Length)
            {
                throw _location.Error($"the header declares {count} records but the records section ends after {_index}", _position);
            }

            records[_index] = ReadRecord();
        }

        if (_position != _span.Length)
        {
            throw _location.Error($"{_span.Length - _position} bytes follow the {count} records the header declares", _position);
        }

        return records;
    }

    private Record ReadRecord()
    {
        int start = _position;
        int length = ReadVarint("length");
        if (length < 0)
        {
            throw _location.Error($"record {_index} has a negative length {length}", start);
        }

        if (length > _span.Length - _position)
        {
            throw _location.Error(
                $"record {_index} length {length} runs past the end of the records section ({_span.Length - _position} bytes left)", start);
        }

        int bodyStart = _position;
        _end = _position + length;
        Require(1, "attributes");
        _position++;
        long timestampDelta = ReadVarlong("timestamp delta");
        int offsetDelta = ReadVarint("offset delta");
        var key = ReadNullableBytes("key");
        var value = ReadNullableBytes("value");
        var headers = ReadHeaders();
        if (_position != _end)
        {
            throw _location.Error($"record {_index} declares {length} bytes but its fields take {_position - bodyStart}", start);
        }

        _end = _span.Length;
        long timestamp = _header.IsLogAppendTime ? _header.MaxTimestamp : _header.BaseTimestamp + timestampDelta;
        return new Record(_header.BaseOffset + offsetDelta, timestamp, key, value, headers);
    }

    private RecordHeader[] ReadHeaders()
    {
        int start = _position;
        int count = ReadVarint("header count");
        if (count < 0)
        {
            throw _location.Error($"record {_index} has a negative header count {count}", start);
        }

        if (count > (_end - _position) / MinHeaderSize)
        {
            throw _location.Error($"record {_index} header count {count} cannot fit in the {_end - _position} bytes left in the record", start);
        }

        if (count == 0)
        {
            return [];
        }

        var headers = new RecordHeader[count];
        for (int i = 0; i < count; i++)
        {
            int keyStart = _position;
            int keyLength = ReadVarint("header key length");
            if (keyLength < 0)
            {
                throw _location.Error($"record {_index} header {i} has a negative key length {keyLength}", keyStart);
            }

            Require(keyLength, "header key");
            string key = Encoding.UTF8.GetString(_span.Slice(_position, keyLength));
            _position += keyLength;
            headers[i] = new RecordHeader(key, ReadNullableBytes("header value"));
        }

        return headers;
    }

    private ReadOnlyMemory<byte>? ReadNullableBytes(string what)
    {
        int start = _position;
        int length = ReadVarint($"{what} length");
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw _location.Error($"record {_index} {what} length {length} is negative and not -1 (null)", start);
        }

        Require(length, what);
        var bytes = _section.Slice(_position, length);
        _position += length;
        return bytes;
    }

    private readonly void Require(int length, string what)
    {
        if (length > _end - _position)
        {
            throw _location.Error(
                $"record {_index} {what} needs {length} bytes but only {_end - _position} are left in the record", _position);
        }
    }

    private int ReadVarint(string what)
    {
        var status = Varint.Read(_span[_position.._end], out int value, out int bytesRead);
        Check(status, what);
        _position += bytesRead;
        return value;
    }

    private long ReadVarlong(string what)
    {
        var status = Varint.Read(_span[_position.._end], out long value, out int bytesRead);
        Check(status, what);
        _position += bytesRead;
        return value;
    }

    private readonly void Check(OperationStatus status, string what)
    {
        if (status == OperationStatus.NeedMoreData)
        {
            throw _location.Error($"record {_index} {what} varint is truncated", _position);
        }

        if (status != OperationStatus.Done)
        {
            throw _location.Error($"record {_index} {what} varint is too long", _position);
        }
    }
}
