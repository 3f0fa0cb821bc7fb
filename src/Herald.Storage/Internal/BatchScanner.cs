using System.IO.Hashing;

namespace Herald.Storage.Internal;

/// <summary>
/// Walks the stored batches of a segment file in order, checking framing, offsets and (optionally) the CRC of each.
/// Stops at the first batch that fails, leaving <see cref="Problem"/> and <see cref="Position"/> set.
/// </summary>
internal sealed class BatchScanner : IDisposable
{
    private readonly SequentialReader _reader;
    private readonly long _end;
    private readonly bool _verifyCrc;
    private readonly Crc32 _crc = new(Crc32ParameterSet.Crc32C);
    private long _nextPosition;
    private long _minimumBaseOffset;

    public BatchScanner(ILogFile file, long start, long end, long minimumBaseOffset, bool verifyCrc)
    {
        _reader = new SequentialReader(file, end);
        _end = end;
        _verifyCrc = verifyCrc;
        _nextPosition = start;
        _minimumBaseOffset = minimumBaseOffset;
        Position = start;
    }

    /// <summary>The position of the current batch, or of the failed one when <see cref="Problem"/> is set, or the end.</summary>
    public long Position { get; private set; }

    public RecordBatchHeader Header { get; private set; }

    /// <summary>Why scanning stopped before the end; null while every batch so far was valid.</summary>
    public string? Problem { get; private set; }

    public bool MoveNext()
    {
        Position = _nextPosition;
        if (Problem is not null || Position >= _end)
        {
            return false;
        }

        Problem = Check(Position, _minimumBaseOffset, out var header);
        if (Problem is not null)
        {
            return false;
        }

        Header = header;
        _nextPosition = Position + header.TotalSize;
        _minimumBaseOffset = header.NextOffset;
        return true;
    }

    public void Dispose() => _reader.Dispose();

    private string? Check(long position, long minimumBaseOffset, out RecordBatchHeader header)
    {
        header = default;
        var bytes = _reader.Read(position, RecordBatchHeader.Size);
        if (bytes.Length < RecordBatchHeader.Size)
        {
            return $"the file ends {bytes.Length} bytes into a batch header";
        }

        header = RecordBatchHeader.Read(bytes);
        if (header.Magic != RecordBatchHeader.CurrentMagic)
        {
            return $"magic byte is {header.Magic}, expected {RecordBatchHeader.CurrentMagic}";
        }

        if (header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead)
        {
            return $"batch length {header.BatchLength} is smaller than a header";
        }

        if (position + (long)header.BatchLength + RecordBatchHeader.LogOverhead > _end)
        {
            return $"batch of {header.TotalSize} bytes runs past the end of the data at {_end}";
        }

        if (header.BaseOffset < minimumBaseOffset || header.LastOffsetDelta < 0)
        {
            return $"offsets {header.BaseOffset}..{header.LastOffset} go backwards (expected at least {minimumBaseOffset})";
        }

        if (_verifyCrc && ComputeCrc(position, header.TotalSize) != header.Crc)
        {
            return "CRC32C mismatch";
        }

        return null;
    }

    private uint ComputeCrc(long position, int totalSize)
    {
        _crc.Reset();
        var covered = position + RecordBatchHeader.AttributesOffset;
        var end = position + totalSize;
        while (covered < end)
        {
            var chunk = _reader.Read(covered, (int)Math.Min(SequentialReader.WindowSize, end - covered));
            if (chunk.IsEmpty)
            {
                return ~0u ^ _crc.GetCurrentHashAsUInt32();
            }

            _crc.Append(chunk);
            covered += chunk.Length;
        }

        return _crc.GetCurrentHashAsUInt32();
    }
}
