using System.Buffers;
using System.Runtime.ExceptionServices;
using Herald.Storage.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Storage;

/// <summary>
/// The durable, append-only log of one partition: a directory of segment files holding Kafka RecordBatch v2 batches
/// byte for byte, with sparse offset and time indexes, group-committed durability, crash recovery and retention.
/// </summary>
/// <remarks>
/// Thread-safety: any number of threads may append, read and flush concurrently. Appends are serialized and ordered;
/// reads take no lock and never block the writer. Reads see a batch only once all of its bytes are written.
/// </remarks>
public sealed class PartitionLog : IDisposable, IAsyncDisposable
{
    private readonly string _directory;
    private LogOptions _options;
    private readonly ILogFileSystem _fileSystem;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private readonly Lock _appendLock = new();
    private readonly Queue<LogSegment> _sealedUnflushed = new();
    private LogSegment[] _segments;
    private LogSegment _active;
    private long _endOffset;
    private long _durableEndOffset;
    private long _logStartOffset;
    private long _unflushedBytes;
    private long _recoveryPointWrittenMs;

    private readonly Lock _flushIo = new();
    private readonly Lock _checkpointLock = new();
    private readonly GroupCommit _groupCommit;
    private bool _segmentsReleased;
    private readonly ITimer? _intervalTimer;

    private Exception? _failure;
    private Exception? _writeFailure;
    private bool _closed;
    private readonly LogThrottle _checkpointWarnings = new(TimeSpan.FromSeconds(30));
    private readonly LogThrottle _appendWarnings = new(TimeSpan.FromSeconds(10));

    private PartitionLog(string directory, LogOptions options, ILogFileSystem fileSystem, ILogger logger, TimeProvider time, LogSegment[] segments, long logStartOffset)
    {
        _directory = directory;
        _options = options;
        _fileSystem = fileSystem;
        _logger = logger;
        _time = time;
        _segments = segments;
        _active = segments[^1];
        _active.ResumeAppending(NowMs());
        _endOffset = _active.NextOffset;
        _durableEndOffset = _endOffset;
        _logStartOffset = logStartOffset;
        _recoveryPointWrittenMs = NowMs();
        _groupCommit = new GroupCommit(FlushForGroupCommit, () => Volatile.Read(ref _failure) ?? Volatile.Read(ref _writeFailure));
        if (options.FlushPolicy.Mode == FlushMode.Interval)
        {
            _intervalTimer = time.CreateTimer(static state => ((PartitionLog)state!).FlushIfDirty(), this, options.FlushPolicy.Interval, options.FlushPolicy.Interval);
        }
    }

    /// <summary>The directory holding the partition's files.</summary>
    internal string Directory => _directory;

    /// <summary>The settings in force.</summary>
    public LogOptions Options => Volatile.Read(ref _options);

    /// <summary>
    /// Raised on the flushing thread each time <see cref="DurableEndOffset"/> advances, so waiting readers can be woken
    /// without polling. Handlers must be quick and must not block.
    /// </summary>
    public event Action<PartitionLog>? DurableEndAdvanced;

    /// <summary>
    /// Changes retention, segment and batch-size settings while the log is open; they apply from the next append or
    /// retention run. The flush policy and index interval are fixed at open.
    /// </summary>
    /// <exception cref="ArgumentException">When the settings are invalid or change what is fixed at open.</exception>
    public void Reconfigure(LogOptions options)
    {
        options.Validate();
        var current = Options;
        if (options.FlushPolicy != current.FlushPolicy || options.IndexIntervalBytes != current.IndexIntervalBytes)
        {
            throw new ArgumentException("The flush policy and index interval of an open log cannot change; reopen it instead.");
        }

        Volatile.Write(ref _options, options);
    }

    /// <summary>The first offset that can be read. Retention and <see cref="AdvanceLogStartOffset"/> move it forward.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record will get; every offset below it is readable.</summary>
    public long LogEndOffset => Volatile.Read(ref _endOffset);

    /// <summary>Every offset below this one is on disk (fdatasync completed) and survives a power cut.</summary>
    public long DurableEndOffset => Volatile.Read(ref _durableEndOffset);

    /// <summary>Bytes of record batches held in all segments.</summary>
    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (var segment in Volatile.Read(ref _segments))
            {
                total += segment.Size;
            }

            return total;
        }
    }

    /// <summary>The number of segment files.</summary>
    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>
    /// Opens the log in <paramref name="directory"/>, creating it when empty. After an unclean shutdown it validates every
    /// batch written since the last checkpoint, truncates a torn tail and rebuilds missing or damaged indexes.
    /// </summary>
    /// <param name="directory">The partition's directory.</param>
    /// <param name="options">Settings; <see cref="LogOptions.Default"/> when null.</param>
    /// <param name="fileSystem">Where the files live; <see cref="DiskFileSystem"/> when null.</param>
    /// <param name="logger">Where recovery and retention report; nothing is logged when null.</param>
    /// <param name="timeProvider">The clock for segment age, retention and interval flushes; the system clock when null.</param>
    /// <exception cref="CorruptLogException">When stored data is damaged in a way that recovery must not repair silently.</exception>
    /// <exception cref="NotSupportedException">When the directory was written by a newer, incompatible format version.</exception>
    public static PartitionLog Open(string directory, LogOptions? options = null, ILogFileSystem? fileSystem = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        options ??= LogOptions.Default;
        options.Validate();
        fileSystem ??= DiskFileSystem.Instance;
        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;
        var opened = new LogOpener(directory, options, fileSystem, logger).Open();
        var log = new PartitionLog(directory, options, fileSystem, logger, timeProvider, opened.Segments, opened.LogStartOffset);
        Log.Opened(logger, directory, log.LogStartOffset, log.LogEndOffset, opened.Segments.Length, opened.IsNew ? "new log, no" : opened.WasClean ? "clean" : "unclean");
        return log;
    }

    /// <summary>
    /// Validates and appends a record set (one or more RecordBatch v2 batches, end to end), assigning offsets by rewriting
    /// each batch's baseOffset in place. Returns once the OS has the bytes; durability is a separate step
    /// (<see cref="WaitForDurableAsync"/>, or <see cref="AppendAsync"/> which applies the flush policy).
    /// </summary>
    /// <returns>The offsets assigned, or the reason the record set was refused. A refused record set writes nothing.</returns>
    /// <exception cref="IOException">When writing failed (a full disk, say); nothing of the record set stays in the log.</exception>
    public AppendResult Append(Span<byte> recordSet)
    {
        var refused = Validate(recordSet, out var validated);
        return refused ?? Append(validated);
    }

    /// <summary>
    /// Checks a record set as <see cref="Append(Span{byte})"/> would, every record included, without appending it.
    /// </summary>
    /// <returns>Null when it is valid, with <paramref name="validated"/> ready to append; otherwise why it is refused.</returns>
    public AppendResult? Validate(Span<byte> recordSet, out ValidatedRecordSet validated)
    {
        validated = default;
        var error = BatchValidator.ValidateRecordSet(recordSet, Options.MaxBatchBytes, out var problem, out var first, out var all);
        if (error != BatchError.None)
        {
            return AppendResult.Refused(error, problem);
        }

        validated = new ValidatedRecordSet(recordSet, first, all);
        return null;
    }

    /// <summary>Appends a record set that <see cref="Validate"/> accepted. See <see cref="Append(Span{byte})"/>.</summary>
    public AppendResult Append(ValidatedRecordSet validated)
    {
        ThrowIfNotWritable();
        var recordSet = validated.Bytes;
        long baseOffset, nextOffset;
        bool flushNow;
        lock (_appendLock)
        {
            ThrowIfNotWritable();
            baseOffset = _endOffset;
            nextOffset = baseOffset;
            for (int batch = 0, position = 0; batch < validated.BatchCount; batch++)
            {
                var header = validated.HeaderAt(batch);
                RecordBatchHeader.SetBaseOffset(recordSet[position..], nextOffset);
                nextOffset += header.LastOffsetDelta + 1L;
                position += header.TotalSize;
            }

            var now = NowMs();
            try
            {
                if (MustRoll(recordSet.Length, nextOffset, now))
                {
                    RollLocked();
                }

                _active.Append(validated, baseOffset, now);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                if (_appendWarnings.ShouldLog(out var suppressed))
                {
                    Log.AppendFailed(_logger, exception, _directory, recordSet.Length, suppressed);
                }

                if (_active.TailIsUnknown)
                {
                    // The failed write could not be cut back off, so what follows the durable end is in doubt until a
                    // restart recovers it.
                    StopWrites(exception);
                }

                throw;
            }

            Volatile.Write(ref _endOffset, nextOffset);
            _unflushedBytes += recordSet.Length;
            flushNow = _options.FlushPolicy.Mode == FlushMode.Interval && _unflushedBytes >= _options.FlushPolicy.IntervalBytes;
        }

        if (flushNow)
        {
            _groupCommit.Request();
        }

        return new AppendResult(BatchError.None, baseOffset, nextOffset - 1);
    }

    /// <summary>
    /// Appends like <see cref="Append(Span{byte})"/>, then applies the flush policy: with <see cref="FlushMode.Always"/> the task
    /// completes only once the record set is durable; otherwise as soon as it is appended.
    /// </summary>
    public ValueTask<AppendResult> AppendAsync(Memory<byte> recordSet, CancellationToken cancellationToken = default)
    {
        var result = Append(recordSet.Span);
        if (!result.Succeeded || _options.FlushPolicy.Mode != FlushMode.Always || DurableEndOffset >= result.NextOffset)
        {
            return new ValueTask<AppendResult>(result);
        }

        if (cancellationToken.CanBeCanceled)
        {
            return WaitThenReturnAsync(result, cancellationToken);
        }

        // The common path: a pooled waiter completed by the next group commit, so no allocation per append.
        return _groupCommit.WaitAsync(result);
    }

    /// <summary>
    /// Completes once every offset below <paramref name="offset"/> is durable, starting a group commit if none is running.
    /// Concurrent callers share one fdatasync. Works under every flush policy.
    /// </summary>
    public ValueTask WaitForDurableAsync(long offset, CancellationToken cancellationToken = default)
    {
        if (DurableEndOffset >= offset)
        {
            return ValueTask.CompletedTask;
        }

        ThrowIfUnusable();
        var flush = _groupCommit.RequestAsync();
        return new ValueTask(cancellationToken.CanBeCanceled ? flush.WaitAsync(cancellationToken) : flush);
    }

    /// <summary>Makes everything appended so far durable.</summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default) => WaitForDurableAsync(LogEndOffset, cancellationToken);

    /// <summary>Reads whole batches from <paramref name="offset"/> up to the end of the log. See <see cref="Read(long, int, IBufferWriter{byte}, long)"/>.</summary>
    public ReadResult Read(long offset, int maxBytes, IBufferWriter<byte> destination) => Read(offset, maxBytes, destination, long.MaxValue);

    /// <summary>
    /// Copies whole stored batches into <paramref name="destination"/>, starting with the batch that contains
    /// <paramref name="offset"/>, up to <paramref name="maxBytes"/>. At least one whole batch is returned even when it is
    /// larger than <paramref name="maxBytes"/>. No batch at or after <paramref name="endOffset"/> (capped at
    /// <see cref="LogEndOffset"/>) is returned, so a caller can bound reads by the durable end. Takes no lock.
    /// </summary>
    /// <exception cref="CorruptLogException">When a stored batch header is damaged; the log then stops.</exception>
    public ReadResult Read(long offset, int maxBytes, IBufferWriter<byte> destination, long endOffset) =>
        Read(offset, maxBytes, destination, endOffset, atLeastOneBatch: true);

    /// <summary>
    /// As <see cref="Read(long, int, IBufferWriter{byte}, long)"/>; with <paramref name="atLeastOneBatch"/> false, a first
    /// batch larger than <paramref name="maxBytes"/> is not returned (for the later partitions of a multi-partition fetch).
    /// </summary>
    public ReadResult Read(long offset, int maxBytes, IBufferWriter<byte> destination, long endOffset, bool atLeastOneBatch)
    {
        while (true)
        {
            ThrowIfUnusable();

            // Snapshot first, start second: retention publishes the start before it drops segments, so a snapshot that
            // lacks the segment holding the offset comes with a start that puts the offset out of range.
            var segments = Volatile.Read(ref _segments);
            var start = LogStartOffset;
            var end = Math.Min(endOffset, LogEndOffset);
            if (offset < start || offset > end)
            {
                return new ReadResult(ReadStatus.OffsetOutOfRange, 0, start, end, offset);
            }

            var written = ReadSegments(segments, offset, end, maxBytes, atLeastOneBatch, destination, out var next);
            if (written >= 0)
            {
                return new ReadResult(ReadStatus.Ok, written, start, end, next);
            }

            // Retention deleted a segment after the snapshot was taken: look again, the offset may now be out of range.
        }
    }

    /// <returns>Bytes written, or -1 when a segment of the snapshot was deleted before it could be read.</returns>
    private int ReadSegments(LogSegment[] segments, long offset, long end, int maxBytes, bool atLeastOneBatch, IBufferWriter<byte> destination, out long nextOffset)
    {
        nextOffset = offset;
        for (var i = FindSegment(segments, offset); i < segments.Length && offset < end; i++)
        {
            var request = (offset, end, maxBytes, atLeastOneBatch, destination);
            if (!TryUse(segments[i], request, static (segment, r) => (Written: segment.Read(r.offset, r.end, r.maxBytes, r.atLeastOneBatch, r.destination, out var next), Next: next), out var read))
            {
                return -1;
            }

            nextOffset = read.Next;
            if (read.Written != 0)
            {
                return Math.Max(read.Written, 0);
            }
        }

        return 0;
    }

    /// <summary>
    /// Runs <paramref name="use"/> on <paramref name="segment"/> while holding it against deletion; false when retention
    /// deleted it first. Damage found on the way stops the log before it is rethrown.
    /// </summary>
    private bool TryUse<TState, TResult>(LogSegment segment, TState state, Func<LogSegment, TState, TResult> use, out TResult result)
    {
        if (!segment.TryAcquire())
        {
            result = default!;
            return false;
        }

        try
        {
            result = use(segment, state);
            return true;
        }
        catch (CorruptLogException exception)
        {
            Fail(exception);
            throw;
        }
        finally
        {
            segment.Release();
        }
    }

    /// <summary>
    /// Reads every stored batch and checks its framing, offsets and CRC32C, as a consumer with CRC checks would. Opening
    /// a log checks only what was written since the recovery point; this finds damage anywhere, such as a flipped bit
    /// in an old sealed segment. Takes no lock; reads whole segments, so it costs a full pass over the data.
    /// </summary>
    /// <exception cref="CorruptLogException">At the first damaged batch; the log then stops.</exception>
    public void Verify()
    {
        ThrowIfUnusable();
        foreach (var segment in Volatile.Read(ref _segments))
        {
            TryUse(segment, 0, static (s, _) => { s.Verify(); return true; }, out _); // false: deleted by retention meanwhile
        }
    }

    /// <summary>
    /// The first offset, at or after the log start, of a record whose timestamp is at least <paramref name="timestamp"/>
    /// (Unix milliseconds), or null when there is none. Timestamps need not increase along the log.
    /// </summary>
    internal long? FindOffsetByTimestamp(long timestamp) => FindByTimestamp(timestamp)?.Offset;

    /// <summary>
    /// The first record, at or after the log start, whose timestamp is at least <paramref name="timestamp"/> (Unix
    /// milliseconds), with its own timestamp; null when there is none.
    /// </summary>
    public TimestampedOffset? FindByTimestamp(long timestamp)
    {
        ThrowIfUnusable();
        foreach (var segment in Volatile.Read(ref _segments))
        {
            if (segment.MaxTimestamp >= timestamp && Search(segment, s => TimestampSearch.FindInSegment(s, timestamp, LogStartOffset, _logger)) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// The first record with the newest timestamp in the log (Kafka's max-timestamp lookup), or null when the log is
    /// empty. Reads the batch headers of the segments that may hold it, newest first.
    /// </summary>
    public TimestampedOffset? FindNewestTimestamp()
    {
        ThrowIfUnusable();
        TimestampedOffset? best = null;
        foreach (var segment in Volatile.Read(ref _segments).Where(s => !s.IsEmpty).OrderByDescending(s => s.MaxTimestamp))
        {
            if (best is { } sofar && segment.MaxTimestamp <= sofar.Timestamp)
            {
                break; // no segment left can beat it, and on a tie the earlier record wins, as in Kafka
            }

            if (Search(segment, s => TimestampSearch.FindNewestInSegment(s, LogStartOffset, _logger)) is { } found && (best is null || found.Timestamp > best.Value.Timestamp))
            {
                best = found;
            }
        }

        return best;
    }

    private TimestampedOffset? Search(LogSegment segment, Func<LogSegment, TimestampedOffset?> find) =>
        TryUse(segment, find, static (s, f) => f(s), out var found) ? found : null; // null also when deleted by retention meanwhile

    /// <summary>
    /// Deletes whole segments that retention no longer keeps: those whose newest record is older than
    /// <see cref="LogOptions.RetentionTime"/>, then the oldest while the log is larger than <see cref="LogOptions.RetentionBytes"/>.
    /// The log start offset moves to the first remaining segment.
    /// </summary>
    /// <returns>The number of segments deleted.</returns>
    public int ApplyRetention()
    {
        ThrowIfUnusable();
        LogSegment[] doomed;
        long newStart;
        lock (_appendLock)
        {
            ThrowIfUnusable();
            var count = CountExpiredByTime();
            count = CountOverSize(count);
            if (count == 0)
            {
                return 0;
            }

            var segments = _segments;
            doomed = segments[..count];
            // The start moves before the segments go: a reader that sees the shorter list also sees the new start.
            newStart = Math.Max(_logStartOffset, segments[count].BaseOffset);
            Volatile.Write(ref _logStartOffset, newStart);
            Volatile.Write(ref _segments, segments[count..]);
        }

        DeleteAfterPersistingLogStart(doomed);
        Log.SegmentsDeleted(_logger, _directory, doomed.Length, newStart);
        return doomed.Length;
    }

    /// <summary>
    /// Moves the log start offset forward (Kafka's DeleteRecords), deleting segments that hold only records below it.
    /// </summary>
    /// <returns>False when <paramref name="offset"/> is past <see cref="LogEndOffset"/>; true otherwise.</returns>
    public bool AdvanceLogStartOffset(long offset)
    {
        ThrowIfUnusable();
        var doomed = new List<LogSegment>();
        lock (_appendLock)
        {
            ThrowIfUnusable();
            if (offset > _endOffset)
            {
                return false;
            }

            if (offset <= _logStartOffset)
            {
                return true;
            }

            Volatile.Write(ref _logStartOffset, offset);
            var segments = _segments;
            var count = 0;
            while (count < segments.Length - 1 && segments[count].NextOffset <= offset)
            {
                doomed.Add(segments[count]);
                count++;
            }

            Volatile.Write(ref _segments, segments[count..]);
        }

        DeleteAfterPersistingLogStart(doomed);
        return true;
    }

    /// <summary>Seals the active segment and starts a new one, whatever their sizes.</summary>
    internal void Roll()
    {
        lock (_appendLock)
        {
            ThrowIfNotWritable();
            if (!_active.IsEmpty)
            {
                RollLocked();
            }
        }
    }

    /// <summary>Closes the log cleanly: syncs everything, saves the indexes and records a clean shutdown, so the next open need not scan.</summary>
    public void Dispose()
    {
        lock (_appendLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
        }

        _intervalTimer?.Dispose();
        lock (_flushIo)
        {
            if (_failure is null && _writeFailure is null)
            {
                try
                {
                    FlushSegmentsLocked(closing: true);
                }
                catch (Exception exception)
                {
                    // The data itself did not sync: whoever still waits for it must hear so, not that it is durable.
                    StopWrites(exception);
                }
            }

            if (_failure is null && _writeFailure is null)
            {
                try
                {
                    _active.WriteIndexFiles();
                    CheckpointFile.Write(_fileSystem, _directory, LogFileNames.CleanShutdown, _endOffset, _active.BaseOffset, _active.Size);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    Log.ClosedUnclean(_logger, exception, _directory); // the data is synced; the next open only scans it
                }
            }

            foreach (var segment in _segments)
            {
                segment.Release();
            }

            _segmentsReleased = true;
        }

        _groupCommit.Stop();
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private bool MustRoll(int incomingBytes, long nextOffset, long now)
    {
        if (_active.IsEmpty)
        {
            return false;
        }

        return _active.Size + (long)incomingBytes > _options.SegmentBytes
            || now - _active.RollingTimestamp >= (long)_options.SegmentAge.TotalMilliseconds
            || nextOffset - _active.BaseOffset > int.MaxValue;
    }

    private void RollLocked()
    {
        var next = LogSegment.Create(_fileSystem, _directory, _endOffset, _options.IndexIntervalBytes);
        _sealedUnflushed.Enqueue(_active);
        Volatile.Write(ref _segments, [.. _segments, next]);
        _active = next;
        Log.SegmentRolled(_logger, _directory, next.BaseOffset);
        _groupCommit.Request();
    }

    private int CountExpiredByTime()
    {
        if (_options.RetentionTime is not { } retention)
        {
            return 0;
        }

        var cutoff = NowMs() - (long)retention.TotalMilliseconds;
        var count = 0;
        while (count < _segments.Length - 1 && _segments[count].MaxTimestamp < cutoff)
        {
            count++;
        }

        if (count == _segments.Length - 1 && !_active.IsEmpty && _active.MaxTimestamp < cutoff)
        {
            RollLocked();
            count++;
        }

        return count;
    }

    private int CountOverSize(int alreadyDeleted)
    {
        if (_options.RetentionBytes is not { } limit)
        {
            return alreadyDeleted;
        }

        long total = 0;
        for (var i = alreadyDeleted; i < _segments.Length; i++)
        {
            total += _segments[i].Size;
        }

        var count = alreadyDeleted;
        while (count < _segments.Length - 1 && total - _segments[count].Size >= limit)
        {
            total -= _segments[count].Size;
            count++;
        }

        return count;
    }

    private async ValueTask<AppendResult> WaitThenReturnAsync(AppendResult result, CancellationToken cancellationToken)
    {
        await WaitForDurableAsync(result.NextOffset, cancellationToken).ConfigureAwait(false);
        return result;
    }

    private void FlushIfDirty()
    {
        if (Volatile.Read(ref _unflushedBytes) > 0 && _failure is null && _writeFailure is null)
        {
            _groupCommit.Request();
        }
    }

    private void FlushForGroupCommit()
    {
        try
        {
            lock (_flushIo)
            {
                FlushSegmentsLocked(closing: false);
            }
        }
        catch (Exception exception)
        {
            StopWrites(exception);
            throw;
        }
    }

    private void FlushSegmentsLocked(bool closing)
    {
        ThrowIfFailed();
        ThrowIfWritesStopped();

        // After Dispose released the files its final flush has covered every append; nothing is left to sync.
        if (_segmentsReleased)
        {
            return;
        }

        long end;
        LogSegment active;
        int activeSize;
        lock (_appendLock)
        {
            end = _endOffset;
            active = _active;
            activeSize = active.Size;
            _unflushedBytes = 0;

            // The active segment cannot be deleted without a roll first, and no roll can happen under this lock.
            if (!active.TryAcquire())
            {
                throw new InvalidOperationException("The active segment was released while still active.");
            }
        }

        try
        {
            FlushUpTo(end, active, activeSize, closing);
        }
        finally
        {
            active.Release();
        }
    }

    private void FlushUpTo(long end, LogSegment active, int activeSize, bool closing)
    {
        var sealedFlushed = false;

        while (true)
        {
            LogSegment sealedSegment;
            lock (_appendLock)
            {
                if (!_sealedUnflushed.TryPeek(out sealedSegment!))
                {
                    break;
                }
            }

            if (sealedSegment.TryAcquire())
            {
                try
                {
                    sealedSegment.Flush();
                    TryWriteCheckpoint(sealedSegment.FilePath, sealedSegment.WriteIndexFiles);
                }
                finally
                {
                    sealedSegment.Release();
                }
            }

            lock (_appendLock)
            {
                _sealedUnflushed.Dequeue();
            }

            sealedFlushed = true;
        }

        active.Flush();
        if (!active.IsDirectoryEntryDurable)
        {
            _fileSystem.SyncDirectory(_directory);
            active.IsDirectoryEntryDurable = true;
        }

        var now = NowMs();
        if (sealedFlushed || closing || now - _recoveryPointWrittenMs >= (long)_options.RecoveryPointInterval.TotalMilliseconds)
        {
            // A recovery point that could not be written leaves the previous one, which only makes the next recovery
            // scan further; the data itself is synced, so it becomes durable and visible all the same.
            _recoveryPointWrittenMs = now;
            TryWriteCheckpoint(LogFileNames.RecoveryPoint, () => CheckpointFile.Write(_fileSystem, _directory, LogFileNames.RecoveryPoint, active.BaseOffset, activeSize));
        }

        if (end > Volatile.Read(ref _durableEndOffset))
        {
            Volatile.Write(ref _durableEndOffset, end);
            DurableEndAdvanced?.Invoke(this);
        }
    }

    // The start offset reaches the disk before any file goes, so a crash never shows a start below deleted data.
    // The segments are gone from the log either way: if persisting fails, the next open derives the start from the files.
    private void DeleteAfterPersistingLogStart(IReadOnlyList<LogSegment> doomed)
    {
        try
        {
            PersistLogStart();
        }
        finally
        {
            foreach (var segment in doomed)
            {
                segment.Delete();
            }
        }
    }

    private void PersistLogStart()
    {
        lock (_checkpointLock)
        {
            CheckpointFile.Write(_fileSystem, _directory, LogFileNames.LogStartOffset, LogStartOffset);
        }
    }

    private static int FindSegment(LogSegment[] segments, long offset)
    {
        int low = 0, high = segments.Length - 1, found = 0;
        while (low <= high)
        {
            var mid = (low + high) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Fail(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _failure, exception, null) is null)
        {
            Log.Failed(_logger, exception, _directory);
        }
    }

    /// <summary>
    /// Refuses appends from now on while reads go on: a sync failed, or a failed write could not be undone, so nothing
    /// after the durable end can be trusted until a restart recovers it.
    /// </summary>
    private void StopWrites(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _writeFailure, exception, null) is null)
        {
            Log.WritesStopped(_logger, exception, _directory, DurableEndOffset);
        }
    }

    /// <summary>
    /// Writes an index or checkpoint file, which only saves work at the next open: when the disk refuses it, the log
    /// warns (at most every 30 s) and goes on.
    /// </summary>
    private void TryWriteCheckpoint(string file, Action write)
    {
        try
        {
            write();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            if (_checkpointWarnings.ShouldLog(out var suppressed))
            {
                Log.CheckpointWriteFailed(_logger, exception, file, _directory, suppressed);
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void ThrowIfNotWritable()
    {
        ThrowIfUnusable();
        ThrowIfWritesStopped();
    }

    private void ThrowIfWritesStopped()
    {
        if (Volatile.Read(ref _writeFailure) is { } failure)
        {
            throw new IOException($"Log '{_directory}' accepts no appends since a write failed ({failure.Message}); restart once the disk is healthy.", failure);
        }
    }

    private void ThrowIfUnusable()
    {
        ThrowIfFailed();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed), this);
    }
}
