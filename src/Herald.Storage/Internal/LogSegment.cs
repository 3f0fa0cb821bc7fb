using System.Buffers;

namespace Herald.Storage.Internal;

/// <summary>
/// One segment of a partition log: a file of RecordBatch v2 batches starting at <see cref="BaseOffset"/>,
/// with a sparse offset index and a time index kept in memory and saved beside it when the segment is sealed.
/// One thread appends; any number read, bounded by the published size so they never see a partial batch.
/// </summary>
internal sealed class LogSegment
{
    private const int OffsetKeyBytes = sizeof(int);
    private const int TimeKeyBytes = sizeof(long);

    private readonly ILogFileSystem _fileSystem;
    private readonly string _directory;
    private readonly ILogFile _file;
    private readonly int _indexIntervalBytes;
    private SparseIndex _offsetIndex = new();
    private SparseIndex _timeIndex = new();
    private int _size;
    private long _nextOffset;
    private long _maxTimestamp = long.MinValue;
    private int _bytesSinceIndexEntry;

    // One lease is the log's own; readers add theirs. Whoever drops the count to zero closes the file.
    private int _leases = 1;
    private bool _deleteWhenReleased;

    private LogSegment(ILogFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes)
    {
        _fileSystem = fileSystem;
        _directory = directory;
        BaseOffset = baseOffset;
        _nextOffset = baseOffset;
        _indexIntervalBytes = indexIntervalBytes;
        _file = fileSystem.OpenOrCreate(LogFileNames.Segment(directory, baseOffset));
    }

    public long BaseOffset { get; }

    public string FilePath => _file.Path;

    /// <summary>Bytes of complete batches; readers never look past it.</summary>
    public int Size => Volatile.Read(ref _size);

    public bool IsEmpty => Size == 0;

    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>The largest batch timestamp in the segment, or <see cref="long.MinValue"/> when empty.</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>When the segment started filling, in Unix milliseconds; drives rolling by age.</summary>
    public long RollingTimestamp { get; private set; } = long.MaxValue;

    public bool IsDirectoryEntryDurable { get; set; }

    public static LogSegment Create(ILogFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes)
    {
        var segment = new LogSegment(fileSystem, directory, baseOffset, indexIntervalBytes);
        segment._file.SetLength(0);
        return segment;
    }

    public static LogSegment OpenExisting(ILogFileSystem fileSystem, string directory, long baseOffset, int indexIntervalBytes) =>
        new(fileSystem, directory, baseOffset, indexIntervalBytes);

    /// <summary>The file's length on disk, which after a crash may exceed the valid data.</summary>
    public long FileLength => _file.Length;

    /// <summary>Whether a failed append left bytes past <see cref="Size"/> that could not be cut off.</summary>
    public bool TailIsUnknown { get; private set; }

    /// <summary>
    /// Appends a validated record set whose offsets are already assigned. Writer thread only. When the write fails (a
    /// full disk), whatever part of it reached the file is cut off again, so the segment is as it was.
    /// </summary>
    public void Append(in ValidatedRecordSet validated, long baseOffset, long nowMs)
    {
        var recordSet = validated.Bytes;
        var position = _size;
        try
        {
            _file.Write(position, recordSet);
        }
        catch
        {
            TruncateAfterFailedWrite(position);
            throw;
        }

        if (position == 0)
        {
            RollingTimestamp = nowMs;
        }

        for (int batch = 0, offsetInSet = 0; batch < validated.BatchCount; batch++)
        {
            var header = validated.HeaderAt(batch) with { BaseOffset = baseOffset };
            Track(position + offsetInSet, header);
            baseOffset = header.NextOffset;
            offsetInSet += header.TotalSize;
        }

        Volatile.Write(ref _size, position + recordSet.Length);
    }

    public void Flush()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _file.Flush();
        StorageTelemetry.Synced(started);
    }

    private void TruncateAfterFailedWrite(int size)
    {
        try
        {
            _file.SetLength(size); // shrinking needs no space
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            TailIsUnknown = true;
        }
    }

    /// <summary>
    /// Loads the saved indexes of a segment trusted to be complete (sealed before the recovery point, or the active segment
    /// after a clean close) and checks them against the file. Rebuilds them from a CRC-checked scan when they are missing or
    /// wrong. Throws <see cref="CorruptLogException"/> when the file itself is damaged.
    /// </summary>
    /// <returns>True when the indexes had to be rebuilt.</returns>
    public bool LoadTrusted(long fileLength)
    {
        if (TryLoadIndexes(fileLength))
        {
            return false;
        }

        var problem = RebuildFromScan(fileLength, verifyCrc: true);
        if (problem is { } p)
        {
            throw new CorruptLogException(FilePath, p.Position, p.Problem);
        }

        return true;
    }

    /// <summary>Rebuilds the indexes and the segment's bounds by scanning the file from the start.</summary>
    /// <returns>Null when every byte up to <paramref name="length"/> is a valid batch; else where scanning stopped and why.</returns>
    public (long Position, string Problem)? RebuildFromScan(long length, bool verifyCrc)
    {
        ResetTracking();
        using var scanner = new BatchScanner(_file, 0, length, BaseOffset, verifyCrc);
        while (scanner.MoveNext())
        {
            if (scanner.Position == 0)
            {
                RollingTimestamp = scanner.Header.MaxTimestamp;
            }

            Track(scanner.Position, scanner.Header);
        }

        _size = (int)scanner.Position;
        return scanner.Problem is null ? null : (scanner.Position, scanner.Problem);
    }

    /// <summary>Checks the framing, offsets and CRC of every batch up to the published size, without touching the indexes.</summary>
    /// <exception cref="CorruptLogException">At the first damaged batch.</exception>
    public void Verify()
    {
        var size = Size;
        using var scanner = new BatchScanner(_file, 0, size, BaseOffset, verifyCrc: true);
        while (scanner.MoveNext())
        {
        }

        if (scanner.Problem is not null)
        {
            throw new CorruptLogException(FilePath, scanner.Position, scanner.Problem);
        }
    }

    /// <summary>Cuts the file back to the valid data found by the last scan, dropping a torn tail.</summary>
    public void TruncateToValidData()
    {
        _file.SetLength(_size);
        _file.Flush();
    }

    /// <summary>Makes the segment the writable tail again: rolling by age counts from now at the latest.</summary>
    public void ResumeAppending(long nowMs) => RollingTimestamp = Math.Min(RollingTimestamp, nowMs);

    /// <summary>Saves both indexes beside the segment, atomically, so the next open need not scan.</summary>
    public void WriteIndexFiles()
    {
        WriteIndexFile(LogFileNames.OffsetIndex(_directory, BaseOffset), _offsetIndex, OffsetKeyBytes);
        WriteIndexFile(LogFileNames.TimeIndex(_directory, BaseOffset), _timeIndex, TimeKeyBytes);
    }

    private void WriteIndexFile(string path, SparseIndex index, int keyBytes)
    {
        var bytes = index.SerializeRented(keyBytes, out var length);
        try
        {
            AtomicFile.Write(_fileSystem, _directory, Path.GetFileName(path), bytes.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Copies whole batches into <paramref name="destination"/>, starting with the batch that holds <paramref name="offset"/>,
    /// up to <paramref name="maxBytes"/> but always at least one batch. Batches at or after <paramref name="endOffset"/> are not returned.
    /// </summary>
    /// <returns>Bytes written; 0 when the segment holds nothing at or after <paramref name="offset"/> below the bound;
    /// -1 when the first batch is larger than <paramref name="maxBytes"/> and <paramref name="atLeastOneBatch"/> is false.</returns>
    public int Read(long offset, long endOffset, int maxBytes, bool atLeastOneBatch, IBufferWriter<byte> destination, out long nextOffset)
    {
        nextOffset = offset;
        var size = Size;
        var position = (long)(_offsetIndex.Floor(offset - BaseOffset)?.Value ?? 0);
        Span<byte> headerBytes = stackalloc byte[RecordBatchHeader.Size];
        RecordBatchHeader header;
        while (true)
        {
            if (position >= size)
            {
                return 0;
            }

            header = ReadHeader(position, size, headerBytes);
            if (header.BaseOffset >= endOffset)
            {
                return 0;
            }

            if (header.LastOffset >= offset)
            {
                break;
            }

            position += header.TotalSize;
        }

        if (!atLeastOneBatch && header.TotalSize > maxBytes)
        {
            return -1;
        }

        var wanted = (int)Math.Max(header.TotalSize, Math.Min(maxBytes, size - position));
        var span = destination.GetSpan(wanted)[..wanted];
        if (_file.Read(position, span) != wanted)
        {
            throw new CorruptLogException(FilePath, position, $"expected {wanted} bytes of batches but the file ended early");
        }

        var used = header.TotalSize;
        nextOffset = header.NextOffset;
        while (used + RecordBatchHeader.Size <= wanted)
        {
            var next = CheckedHeader(span[used..], position + used, size);
            if (next.BaseOffset >= endOffset || used + next.TotalSize > wanted)
            {
                break;
            }

            used += next.TotalSize;
            nextOffset = next.NextOffset;
        }

        destination.Advance(used);
        return used;
    }

    /// <summary>Positions of the batches to look at for a timestamp search: the first one that can hold a timestamp at or after <paramref name="timestamp"/>.</summary>
    public long PositionForTimestamp(long timestamp)
    {
        var relative = _timeIndex.LastBelow(timestamp)?.Value ?? 0;
        return _offsetIndex.Floor(relative)?.Value ?? 0;
    }

    /// <summary>Reads and checks the framing of the batch header at <paramref name="position"/>.</summary>
    public RecordBatchHeader ReadHeader(long position, long size, Span<byte> scratch)
    {
        if (_file.Read(position, scratch) < RecordBatchHeader.Size)
        {
            throw new CorruptLogException(FilePath, position, "the file ends inside a batch header");
        }

        return CheckedHeader(scratch, position, size);
    }

    /// <summary>Reads a whole stored batch into <paramref name="destination"/>.</summary>
    public void ReadBatch(long position, Span<byte> destination)
    {
        if (_file.Read(position, destination) != destination.Length)
        {
            throw new CorruptLogException(FilePath, position, "the file ends inside a batch");
        }
    }

    public bool TryAcquire()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) != 0)
        {
            return;
        }

        _file.Dispose();
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
        if (Volatile.Read(ref _deleteWhenReleased))
        {
            _fileSystem.DeleteFile(FilePath);
            _fileSystem.DeleteFile(LogFileNames.OffsetIndex(_directory, BaseOffset));
            _fileSystem.DeleteFile(LogFileNames.TimeIndex(_directory, BaseOffset));
        }
    }

    /// <summary>Drops the log's own lease and deletes the files once the last reader is done.</summary>
    public void Delete()
    {
        Volatile.Write(ref _deleteWhenReleased, true);
        Release();
    }

    private RecordBatchHeader CheckedHeader(ReadOnlySpan<byte> bytes, long position, long size)
    {
        var header = RecordBatchHeader.Read(bytes);
        if (header.Magic != RecordBatchHeader.CurrentMagic
            || header.BatchLength < RecordBatchHeader.Size - RecordBatchHeader.LogOverhead
            || position + (long)header.BatchLength + RecordBatchHeader.LogOverhead > size)
        {
            throw new CorruptLogException(FilePath, position, $"invalid batch header (magic {header.Magic}, length {header.BatchLength})");
        }

        return header;
    }

    private void Track(long position, in RecordBatchHeader header)
    {
        if (_bytesSinceIndexEntry >= _indexIntervalBytes)
        {
            var relative = header.BaseOffset - BaseOffset;
            _offsetIndex.Add(relative, (int)position);
            if (_maxTimestamp > (_timeIndex.Last?.Key ?? long.MinValue))
            {
                _timeIndex.Add(_maxTimestamp, (int)relative);
            }

            _bytesSinceIndexEntry = 0;
        }

        _bytesSinceIndexEntry += header.TotalSize;
        Volatile.Write(ref _maxTimestamp, Math.Max(_maxTimestamp, header.MaxTimestamp));
        Volatile.Write(ref _nextOffset, header.NextOffset);
    }

    private void ResetTracking()
    {
        _offsetIndex.Dispose();
        _timeIndex.Dispose();
        _bytesSinceIndexEntry = 0;
        _maxTimestamp = long.MinValue;
        _nextOffset = BaseOffset;
        _size = 0;
        RollingTimestamp = long.MaxValue;
    }

    private bool TryLoadIndexes(long fileLength)
    {
        var offsetIndex = ReadIndexFile(LogFileNames.OffsetIndex(_directory, BaseOffset), OffsetKeyBytes);
        var timeIndex = ReadIndexFile(LogFileNames.TimeIndex(_directory, BaseOffset), TimeKeyBytes);
        if (offsetIndex is null || timeIndex is null || !IsWellFormed(offsetIndex, timeIndex, fileLength))
        {
            return false;
        }

        // The indexes cover everything before their last entries; scan the rest to learn where the data ends.
        var lastTimeEntryPosition = timeIndex.Last is { } lastTime ? offsetIndex.Floor(lastTime.Value)?.Value ?? 0 : 0;
        var scanFrom = Math.Min(offsetIndex.Last?.Value ?? 0, lastTimeEntryPosition);
        using var scanner = new BatchScanner(_file, scanFrom, fileLength, BaseOffset, verifyCrc: false);
        var max = timeIndex.Last?.Key ?? long.MinValue;
        var next = BaseOffset;
        while (scanner.MoveNext())
        {
            max = Math.Max(max, scanner.Header.MaxTimestamp);
            next = scanner.Header.NextOffset;
        }

        if (scanner.Problem is not null || (timeIndex.Last is { } t && BaseOffset + t.Value >= next))
        {
            return false;
        }

        _offsetIndex.Dispose();
        _timeIndex.Dispose();
        _offsetIndex = offsetIndex;
        _timeIndex = timeIndex;
        _size = (int)fileLength;
        _nextOffset = fileLength == 0 ? BaseOffset : next;
        _maxTimestamp = max;
        _bytesSinceIndexEntry = (int)(fileLength - (offsetIndex.Last?.Value ?? 0));
        if (fileLength > 0)
        {
            Span<byte> first = stackalloc byte[RecordBatchHeader.Size];
            RollingTimestamp = ReadHeader(0, fileLength, first).MaxTimestamp;
        }

        return true;
    }

    private bool IsWellFormed(SparseIndex offsetIndex, SparseIndex timeIndex, long fileLength)
    {
        for (var i = 0; i < offsetIndex.Count; i++)
        {
            var entry = offsetIndex[i];
            var previous = i == 0 ? new SparseIndex.Entry(0, 0) : offsetIndex[i - 1];
            if (entry.Key <= previous.Key || entry.Value <= previous.Value || entry.Value >= fileLength)
            {
                return false;
            }
        }

        for (var i = 1; i < timeIndex.Count; i++)
        {
            if (timeIndex[i].Key < timeIndex[i - 1].Key || timeIndex[i].Value <= timeIndex[i - 1].Value)
            {
                return false;
            }
        }

        if (offsetIndex.Last is { } last)
        {
            Span<byte> header = stackalloc byte[RecordBatchHeader.Size];
            if (_file.Read(last.Value, header) < RecordBatchHeader.Size
                || header[RecordBatchHeader.MagicOffset] != RecordBatchHeader.CurrentMagic
                || RecordBatchHeader.ReadBaseOffset(header) != BaseOffset + last.Key)
            {
                return false;
            }
        }

        return true;
    }

    private SparseIndex? ReadIndexFile(string path, int keyBytes)
    {
        if (!_fileSystem.FileExists(path))
        {
            return null;
        }

        using var file = _fileSystem.OpenOrCreate(path);
        var length = file.Length;

        // Every entry stands for a batch of at least a header, so an index larger than that is damaged, not big.
        if (length > (_file.Length / RecordBatchHeader.Size + 1) * (keyBytes + sizeof(int)))
        {
            return null;
        }

        var bytes = new byte[length];
        return file.Read(0, bytes) == length ? SparseIndex.Deserialize(bytes, keyBytes) : null;
    }
}
