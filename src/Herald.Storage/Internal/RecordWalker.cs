using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>Where one record sits in its batch: what offset and timestamp lookups and produce checks need of it.</summary>
internal readonly record struct RecordStamp(int OffsetDelta, long TimestampDelta);

/// <summary>
/// Walks the records of a records section one at a time. Every length, varint and count is checked against the bytes
/// that remain, and keys, values and headers are skipped, never copied. The section is either in memory (an
/// uncompressed batch being produced) or pulled in pieces from a <see cref="RecordSource"/> through a small window
/// (decompressed, or read from a segment file), so memory stays fixed however large the section claims to be.
/// </summary>
/// <remarks>Accepts exactly the records <see cref="RecordsDecoder"/> decodes.</remarks>
internal ref struct RecordWalker
{
    /// <summary>Length, attributes, timestamp delta, offset delta, key length, value length and header count: a byte each at least.</summary>
    public const int MinRecordBytes = 7;

    // A header key length and a value length, one byte each at least.
    private const int MinHeaderBytes = 2;

    private readonly RecordSource? _source;
    private readonly byte[]? _window;
    private readonly long _limit;
    private ReadOnlySpan<byte> _data;
    private int _position;
    private long _dataStart;
    private long _recordEnd;
    private bool _sourceEnded;

    private RecordWalker(ReadOnlySpan<byte> section)
    {
        _data = section;
        _limit = section.Length;
        _sourceEnded = true;
        _recordEnd = long.MaxValue;
    }

    private RecordWalker(RecordSource source, byte[] window, long limit)
    {
        _source = source;
        _window = window;
        _limit = limit;
        _data = [];
        _recordEnd = long.MaxValue;
    }

    /// <summary>Why the walk stopped, or null while every record so far was well formed.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether it stopped because the section yields more bytes than the walker's limit.</summary>
    public bool ExceededLimit { get; private set; }

    /// <summary>Bytes of the section walked so far.</summary>
    public readonly long Position => _dataStart + _position;

    /// <summary>A walker over a section held in memory.</summary>
    public static RecordWalker Over(ReadOnlySpan<byte> section) => new(section);

    /// <summary>A walker over a section pulled from <paramref name="source"/> into <paramref name="window"/>, refusing more than <paramref name="limit"/> bytes.</summary>
    public static RecordWalker Over(RecordSource source, byte[] window, long limit) => new(source, window, limit);

    /// <summary>Reads record number <paramref name="index"/>.</summary>
    /// <returns>False, with <see cref="Problem"/> set, when the record is malformed or the section ends before it.</returns>
    public bool TryRead(int index, out RecordStamp stamp)
    {
        stamp = default;
        var start = Position;
        if (!TryReadVarint(index, "length", out int length))
        {
            return false;
        }

        if (length < 0)
        {
            return Fail($"record {index} has a negative length {length}", start);
        }

        _recordEnd = Position + length;
        if (!Skip(index, 1, "attributes")
            || !TryReadVarlong(index, "timestamp delta", out var timestampDelta)
            || !TryReadVarint(index, "offset delta", out int offsetDelta)
            || !SkipNullableBytes(index, "key")
            || !SkipNullableBytes(index, "value")
            || !SkipHeaders(index))
        {
            return false;
        }

        if (Position != _recordEnd)
        {
            return Fail($"record {index} declares {length} bytes but its fields take {Position - (_recordEnd - length)}", start);
        }

        _recordEnd = long.MaxValue;
        stamp = new RecordStamp(offsetDelta, timestampDelta);
        return true;
    }

    /// <summary>Whether the section has no bytes left; false, with <see cref="Problem"/> set, when reading it failed.</summary>
    public bool IsAtEnd() => !Ensure(1) && Problem is null;

    /// <summary>Records <paramref name="problem"/> as why the walk stopped.</summary>
    public bool Fail(string problem, long at)
    {
        Problem ??= $"{problem}, at byte {at} of the records";
        return false;
    }

    private bool SkipNullableBytes(int index, string what)
    {
        var start = Position;
        if (!TryReadVarint(index, what + " length", out int length))
        {
            return false;
        }

        if (length < -1)
        {
            return Fail($"record {index} {what} length {length} is negative and not -1 (null)", start);
        }

        return length <= 0 || Skip(index, length, what);
    }

    private bool SkipHeaders(int index)
    {
        var start = Position;
        if (!TryReadVarint(index, "header count", out int count))
        {
            return false;
        }

        if (count < 0)
        {
            return Fail($"record {index} has a negative header count {count}", start);
        }

        if (count > (_recordEnd - Position) / MinHeaderBytes)
        {
            return Fail($"record {index} header count {count} cannot fit in the {_recordEnd - Position} bytes left in the record", start);
        }

        for (var i = 0; i < count; i++)
        {
            var keyStart = Position;
            if (!TryReadVarint(index, "header key length", out int keyLength))
            {
                return false;
            }

            if (keyLength < 0)
            {
                return Fail($"record {index} header {i} has a negative key length {keyLength}", keyStart);
            }

            if (!Skip(index, keyLength, "header key") || !SkipNullableBytes(index, "header value"))
            {
                return false;
            }
        }

        return true;
    }

    private bool TryReadVarint(int index, string what, out int value)
    {
        value = 0;
        var status = Varint.Read(VarintBytes(Varint.MaxInt32Length), out value, out var read);
        return Advance(index, what, status, read);
    }

    private bool TryReadVarlong(int index, string what, out long value)
    {
        value = 0;
        var status = Varint.Read(VarintBytes(Varint.MaxInt64Length), out value, out var read);
        return Advance(index, what, status, read);
    }

    /// <summary>The bytes a varint may occupy: no more than its longest form, nor past the end of the record.</summary>
    private ReadOnlySpan<byte> VarintBytes(int longest)
    {
        Ensure(longest);
        var available = _data.Length - _position;
        return _data.Slice(_position, (int)Math.Min(available, Math.Max(0, _recordEnd - Position)));
    }

    private bool Advance(int index, string what, OperationStatus status, int read)
    {
        if (Problem is not null)
        {
            return false;
        }

        if (status == OperationStatus.NeedMoreData)
        {
            return Fail(_recordEnd == long.MaxValue ? $"record {index} {what} varint is truncated" : $"record {index} {what} runs past the end of the record", Position);
        }

        if (status != OperationStatus.Done)
        {
            return Fail($"record {index} {what} varint is too long", Position);
        }

        _position += read;
        return true;
    }

    private bool Skip(int index, long count, string what)
    {
        if (count > _recordEnd - Position)
        {
            return Fail($"record {index} {what} needs {count} bytes but only {_recordEnd - Position} are left in the record", Position);
        }

        while (count > 0)
        {
            if (_position == _data.Length && !Ensure(1))
            {
                return Problem is null ? Fail($"record {index} {what} runs past the end of the records", Position) : false;
            }

            var step = (int)Math.Min(count, _data.Length - _position);
            _position += step;
            count -= step;
        }

        return true;
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available when the section has them.</summary>
    /// <returns>Whether they are.</returns>
    private bool Ensure(int count)
    {
        while (_data.Length - _position < count)
        {
            if (_sourceEnded || Problem is not null)
            {
                return false;
            }

            Refill();
        }

        return true;
    }

    private void Refill()
    {
        var window = _window!;
        var kept = _data.Length - _position;
        _data[_position..].CopyTo(window);
        _dataStart += _position;
        _position = 0;
        int read;
        try
        {
            read = _source!.Read(window.AsSpan(kept));
        }
        catch (InvalidDataException exception)
        {
            _sourceEnded = true;
            _data = window.AsSpan(0, kept);
            Fail($"the records cannot be decompressed ({exception.Message})", Position + kept);
            return;
        }

        _sourceEnded = read == 0;
        _data = window.AsSpan(0, kept + read);
        if (_dataStart + _data.Length > _limit)
        {
            ExceededLimit = true;
            _sourceEnded = true;
            Fail($"the records decompress to more than {_limit} bytes", _limit);
        }
    }
}
