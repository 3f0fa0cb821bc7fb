using System.Buffers;

namespace Herald.Storage.Internal;

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

    // Enough that refills are rare next to the work of inflating, small enough to pool.
    private const int WindowBytes = 64 * 1024;

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

    /// <summary>
    /// A walker over a compressed section, inflated through a pooled window and refused past <paramref name="limit"/>
    /// bytes; the section must stay pinned until <see cref="Dispose"/>. A section that cannot even be opened gives a
    /// walker that has already stopped, with <see cref="Problem"/> saying why.
    /// </summary>
    public static unsafe RecordWalker Inflating(CompressionType compression, byte* section, int length, int limit)
    {
        RecordSource source;
        try
        {
            source = RecordSource.Open(compression, section, length, DecompressionBudget.Shared, limit);
        }
        catch (InvalidDataException exception)
        {
            return Stopped(exception.Message, exceededLimit: false);
        }

        if (source.ExceedsLimit)
        {
            source.Dispose();
            return Stopped($"the records decompress to more than {limit} bytes", exceededLimit: true);
        }

        return new RecordWalker(source, ArrayPool<byte>.Shared.Rent(WindowBytes), limit);
    }

    /// <summary>Gives back the window and the decompressor, if the walker has them.</summary>
    public readonly void Dispose()
    {
        _source?.Dispose();
        if (_window is not null)
        {
            ArrayPool<byte>.Shared.Return(_window);
        }
    }

    private static RecordWalker Stopped(string problem, bool exceededLimit) =>
        new(ReadOnlySpan<byte>.Empty) { Problem = problem, ExceededLimit = exceededLimit };

    /// <summary>Reads record number <paramref name="index"/>.</summary>
    /// <returns>False, with <see cref="Problem"/> set, when the record is malformed or the section ends before it.</returns>
    public bool TryRead(int index, out RecordStamp stamp)
    {
        if (_source is null && Problem is null && TryReadWellFormed(out stamp))
        {
            return true;
        }

        stamp = default;
        if (Problem is not null)
        {
            return false;
        }

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
            || !SkipNullableBytes(index, "key", "key length")
            || !SkipNullableBytes(index, "value", "value length")
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

    /// <summary>
    /// The common case of a section in memory, kept fast: one well-formed record with one-byte varints read in place.
    /// Anything unusual returns false without moving, and the general walk reads the record again to say what is wrong.
    /// </summary>
    private bool TryReadWellFormed(out RecordStamp stamp)
    {
        stamp = default;
        var data = _data;
        var position = _position;
        if (!TryVarint(data, ref position, out var length) || length < 0 || length > data.Length - position)
        {
            return false;
        }

        var record = data[..(position + length)];
        if (position == record.Length)
        {
            return false;
        }

        position++; // attributes
        if (!TryVarlong(record, ref position, out var timestampDelta) || !TryVarint(record, ref position, out var offsetDelta)
            || !TrySkipNullable(record, ref position) || !TrySkipNullable(record, ref position)
            || !TryVarint(record, ref position, out var headers) || headers < 0 || headers > (record.Length - position) / MinHeaderBytes)
        {
            return false;
        }

        for (var i = 0; i < headers; i++)
        {
            if (!TryVarint(record, ref position, out var keyLength) || keyLength < 0 || keyLength > record.Length - position)
            {
                return false;
            }

            position += keyLength;
            if (!TrySkipNullable(record, ref position))
            {
                return false;
            }
        }

        if (position != record.Length)
        {
            return false;
        }

        _position = position;
        stamp = new RecordStamp(offsetDelta, timestampDelta);
        return true;

        static bool TrySkipNullable(ReadOnlySpan<byte> record, ref int position)
        {
            if (!TryVarint(record, ref position, out var length) || length < -1 || length > record.Length - position)
            {
                return false;
            }

            position += Math.Max(length, 0);
            return true;
        }

        // Lengths, deltas and counts of ordinary records take one or two bytes; longer ones take the general reader.
        static bool TryVarint(ReadOnlySpan<byte> record, ref int position, out int value)
        {
            if (TryShort(record, ref position, out var raw))
            {
                value = (raw >> 1) ^ -(raw & 1);
                return true;
            }

            var status = Varint.Read(record[position..], out value, out var read);
            position += read;
            return status == OperationStatus.Done;
        }

        static bool TryVarlong(ReadOnlySpan<byte> record, ref int position, out long value)
        {
            if (TryShort(record, ref position, out var raw))
            {
                value = (raw >> 1) ^ -(raw & 1);
                return true;
            }

            var status = Varint.Read(record[position..], out value, out var read);
            position += read;
            return status == OperationStatus.Done;
        }

        static bool TryShort(ReadOnlySpan<byte> record, ref int position, out int raw)
        {
            raw = 0;
            if (position >= record.Length)
            {
                return false;
            }

            int first = record[position];
            if (first < 0x80)
            {
                raw = first;
                position++;
                return true;
            }

            if (position + 1 >= record.Length || record[position + 1] >= 0x80)
            {
                return false;
            }

            raw = (first & 0x7F) | (record[position + 1] << 7);
            position += 2;
            return true;
        }
    }

    /// <summary>Whether the section has no bytes left; false, with <see cref="Problem"/> set, when reading it failed.</summary>
    public bool IsAtEnd() => !Ensure(1) && Problem is null;

    /// <summary>Records <paramref name="problem"/> as why the walk stopped.</summary>
    public bool Fail(string problem, long at)
    {
        Problem ??= $"{problem}, at byte {at} of the records";
        return false;
    }

    // The field names are constants, so the walk allocates nothing unless it fails.
    private bool SkipNullableBytes(int index, string what, string lengthName)
    {
        var start = Position;
        if (!TryReadVarint(index, lengthName, out int length))
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

            if (!Skip(index, keyLength, "header key") || !SkipNullableBytes(index, "header value", "header value length"))
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
