using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Herald.EventSourcing.Embedded;
using Herald.Storage;

namespace Herald.EventSourcing;

/// <summary>
/// The event store in one process, on a Herald.Storage log: every event is one record, an append is one record batch
/// (stored all or none, durable before it is acknowledged, with concurrent appends sharing each fsync), and a record's
/// offset is its global position. The index of streams and event ids is kept in memory and rebuilt from the log at open.
/// </summary>
public sealed class EmbeddedEventStore : IEventStore, IAllStreamWatch
{
    private const int ReadBytes = 1024 * 1024;
    private readonly PartitionLog _log;
    private readonly EmbeddedEventStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StreamEntry> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, EventLocation> _ids = [];
    private readonly Dictionary<string, long> _snapshots = new(StringComparer.Ordinal);
    private readonly ArrivalSignal _arrivals = new();
    private readonly List<long> _controlPositions = []; // snapshots and stream changes: positions that are not events

    // One batch is built at a time, under the lock, so its builder and bytes are reused rather than allocated per append.
    private readonly RecordBatchBuilder _batch = new();
    private ArrayBufferWriter<byte> _batchBytes = new(4096);

    private readonly DataDirectoryLock _directoryLock;
    private readonly Func<Guid, StoredAt?> _findStored;

    private EmbeddedEventStore(PartitionLog log, DataDirectoryLock directoryLock, EmbeddedEventStoreOptions options, TimeProvider time)
    {
        _log = log;
        _directoryLock = directoryLock;
        _findStored = id => _ids.TryGetValue(id, out var at) ? new StoredAt(at.Stream.Id, at.Version) : null; // one delegate, not one per append
        _options = options;
        _time = time;
        log.DurableEndAdvanced += _ => _arrivals.Signal();
    }

    /// <summary>Opens (or creates) the store in <see cref="EmbeddedEventStoreOptions.Directory"/>, recovering what a crash left.</summary>
    /// <exception cref="DataDirectoryLockedException">Another process has the store open.</exception>
    public static EmbeddedEventStore Open(EmbeddedEventStoreOptions? options = null, TimeProvider? time = null)
    {
        options ??= new EmbeddedEventStoreOptions();
        options.Validate();

        // One process at a time: a second one would recover (truncate) the tail the first is writing.
        var directoryLock = DataDirectoryLock.Acquire(options.Directory);
        PartitionLog log;
        try
        {
            log = OpenLog(options, time);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }

        var store = new EmbeddedEventStore(log, directoryLock, options, time ?? TimeProvider.System);
        try
        {
            store.Rebuild();
        }
        catch
        {
            log.Dispose();
            directoryLock.Dispose();
            throw;
        }

        return store;
    }

    private static PartitionLog OpenLog(EmbeddedEventStoreOptions options, TimeProvider? time) =>
        PartitionLog.Open(
            options.Directory,
            LogOptions.Default with
            {
                RetentionTime = null, // an event store keeps everything; streams are trimmed by their own metadata
                RetentionBytes = null,
                SegmentBytes = options.SegmentBytes,
                MaxBatchBytes = options.MaxAppendBytes,
                FlushPolicy = FlushPolicy.Always,
            },
            timeProvider: time);

    /// <inheritdoc/>
    public Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        StoreArguments.CheckEvents(events);
        return AppendCoreAsync(streamId, expected, events, cancellationToken);
    }

    private async Task<AppendResult> AppendCoreAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (result, written, conflict, head) = AppendLocked(streamId, expected, events);
        if (conflict is not null)
        {
            // The append that won may not be durable yet, and readers see only what is: wait for it, so the loser's
            // next read sees the version it was refused for, rather than failing again on the same one.
            await _log.WaitForDurableAsync(head, cancellationToken).ConfigureAwait(false);
            EventStoreTelemetry.Refused("embedded", started);
            throw conflict;
        }

        await _log.WaitForDurableAsync(result.Position + 1, cancellationToken).ConfigureAwait(false);
        EventStoreTelemetry.Appended("embedded", written, started);
        return result;
    }

    private (AppendResult Result, int Written, WrongExpectedVersionException? Conflict, long Head) AppendLocked(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events)
    {
        lock (_gate)
        {
            _streams.TryGetValue(streamId, out var stream);
            if (stream?.State.Tombstoned == true)
            {
                throw new StreamDeletedException(streamId);
            }

            AppendPlan plan;
            try
            {
                plan = AppendPlan.For(streamId, stream?.LastVersion, stream?.VisibleLastVersion, expected, events, _findStored);
            }
            catch (WrongExpectedVersionException refused)
            {
                return (default, 0, refused, _log.LogEndOffset);
            }

            if (plan.IsDuplicate(events.Count))
            {
                var last = plan.FirstVersion - 1;
                return (new AppendResult(last, stream!.PositionOf(last)), 0, null, 0);
            }

            return (Write(streamId, stream, events, plan), events.Count - plan.Skip, null, 0);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, Direction direction = Direction.Forwards, long? fromVersion = null, long maxCount = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        long[] positions;
        TimeSpan? maxAge;
        lock (_gate)
        {
            _streams.TryGetValue(streamId, out var stream);
            if (stream?.State.Tombstoned == true)
            {
                throw new StreamDeletedException(streamId);
            }

            if (stream?.VisibleLastVersion is not { } last)
            {
                yield break;
            }

            var first = stream.FirstVisibleVersion;
            maxAge = stream.State.Metadata.MaxAge;
            if (direction == Direction.Forwards)
            {
                positions = stream.Positions(Math.Max(fromVersion ?? 0, first), maxCount, direction);
            }
            else
            {
                var from = Math.Min(fromVersion ?? last, last);
                positions = from < first ? [] : stream.Positions(from, Math.Min(maxCount, from - first + 1), direction);
            }
        }

        var oldest = maxAge is { } age ? _time.GetUtcNow() - age : DateTimeOffset.MinValue;
        var durable = _log.DurableEndOffset;
        var batch = new BatchCursor(_log, _options.Directory);
        foreach (var position in positions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (position >= durable)
            {
                continue; // appended but not yet durable: not acknowledged, so not there yet
            }

            var recorded = batch.Read(position);
            if (recorded.Timestamp >= oldest)
            {
                yield return recorded;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        return ReadRangeAsync(fromPosition, _log.DurableEndOffset, filter, cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long fromPosition = 0, EventFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        for (var position = fromPosition; ;)
        {
            var arrival = _arrivals.Next();
            var end = _log.DurableEndOffset;
            await foreach (var e in ReadRangeAsync(position, end, filter, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            position = Math.Max(position, end);
            if (_log.DurableEndOffset <= position)
            {
                await arrival.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> SubscribeToStreamAsync(string streamId, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        for (var version = fromVersion; ;)
        {
            var arrival = _arrivals.Next();
            var before = version;
            await foreach (var e in ReadStreamAsync(streamId, Direction.Forwards, version, long.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
                version = e.Version + 1;
            }

            if (version == before)
            {
                await arrival.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Events from one position up to (not including) a durable end, read a chunk at a time so memory stays bounded.
    private async IAsyncEnumerable<RecordedEvent> ReadRangeAsync(long fromPosition, long end, EventFilter? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var record in StoredRecords(fromPosition, end))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (StoredEventCodec.IsControl(record))
            {
                continue;
            }

            var recorded = StoredEventCodec.Read(record);
            if (filter is null || filter.Matches(recorded.StreamId, recorded.Type))
            {
                yield return recorded;
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    // Every record from one position up to (not including) an end, events and control records alike, read a chunk at a
    // time so memory stays bounded. Each chunk has a buffer of its own: the records point into it, and callers may keep them.
    private IEnumerable<Record> StoredRecords(long fromPosition, long end)
    {
        for (var position = Math.Max(fromPosition, _log.LogStartOffset); position < end;)
        {
            var buffer = new ArrayBufferWriter<byte>(ReadBytes);
            var read = _log.Read(position, ReadBytes, buffer, end);
            if (read.BytesWritten == 0)
            {
                yield break;
            }

            foreach (var batch in RecordBatchReader.ReadAll(buffer.WrittenMemory))
            {
                foreach (var record in batch.Records.Where(r => r.Offset >= position))
                {
                    yield return record;
                }
            }

            position = read.NextOffset;
        }
    }

    /// <inheritdoc/>
    public async Task SaveSnapshotAsync(string streamId, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentNullException.ThrowIfNull(snapshot);
        long position;
        lock (_gate)
        {
            _batch.Reset();
            StoredEventCodec.AddSnapshot(_batch, streamId, snapshot, _time.GetUtcNow().ToUnixTimeMilliseconds());
            var appended = AppendBatchLocked();
            if (!appended.Succeeded)
            {
                throw new ArgumentException($"The snapshot of '{streamId}' was refused: {appended.Problem}", nameof(snapshot));
            }

            position = appended.BaseOffset;
            _snapshots[streamId] = position;
            _controlPositions.Add(position);
        }

        await _log.WaitForDurableAsync(position + 1, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<Snapshot?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        long position;
        lock (_gate)
        {
            if (!_snapshots.TryGetValue(streamId, out position) || position >= _log.DurableEndOffset)
            {
                return Task.FromResult<Snapshot?>(null);
            }
        }

        return Task.FromResult<Snapshot?>(StoredEventCodec.ReadSnapshot(new BatchCursor(_log, _options.Directory).ReadRecord(position)).Snapshot);
    }

    /// <inheritdoc/>
    public Task DeleteStreamAsync(string streamId, ExpectedVersion expected, CancellationToken cancellationToken = default) =>
        ChangeStateAsync(streamId, expected, state => state with { Deleted = true }, truncateAll: true, cancellationToken);

    /// <inheritdoc/>
    public Task TombstoneStreamAsync(string streamId, ExpectedVersion expected, CancellationToken cancellationToken = default) =>
        ChangeStateAsync(streamId, expected, state => state with { Tombstoned = true }, truncateAll: true, cancellationToken);

    /// <inheritdoc/>
    public Task SetStreamMetadataAsync(string streamId, StreamMetadata metadata, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckMetadata(metadata);

        return ChangeStateAsync(streamId, ExpectedVersion.Any, state => state with { Metadata = metadata }, truncateAll: false, cancellationToken);
    }

    /// <inheritdoc/>
    public Task<StreamMetadata> GetStreamMetadataAsync(string streamId, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        lock (_gate)
        {
            return Task.FromResult(_streams.TryGetValue(streamId, out var stream) ? stream.State.Metadata : new StreamMetadata());
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListStreamsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string[] names;
        lock (_gate)
        {
            names = [.. _streams.Values.Where(s => s.VisibleLastVersion is not null && !s.State.Tombstoned && s.Id.StartsWith(prefix, StringComparison.Ordinal)).Select(s => s.Id).Order(StringComparer.Ordinal)];
        }

        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return name;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        lock (_gate)
        {
            if (!_streams.TryGetValue(streamId, out var stream))
            {
                return Task.FromResult<long?>(null);
            }

            return stream.State.Tombstoned ? Task.FromException<long?>(new StreamDeletedException(streamId)) : Task.FromResult(stream.VisibleLastVersion);
        }
    }

    /// <inheritdoc/>
    public Task<long> GetEndPositionAsync(CancellationToken cancellationToken = default) => Task.FromResult(_log.DurableEndOffset);

    async Task IAllStreamWatch.WaitBeyondAsync(long position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var arrival = _arrivals.Next();
            if (_log.DurableEndOffset > position)
            {
                return;
            }

            await arrival.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    Task<long> IAllStreamWatch.CountEventsAsync(long from, long to, CancellationToken cancellationToken)
    {
        from = Math.Max(from, _log.LogStartOffset);
        if (to <= from)
        {
            return Task.FromResult(0L);
        }

        lock (_gate)
        {
            var controls = LowerBound(_controlPositions, to) - LowerBound(_controlPositions, from);
            return Task.FromResult(to - from - controls);
        }

        static int LowerBound(List<long> sorted, long value)
        {
            var index = sorted.BinarySearch(value);
            return index >= 0 ? index : ~index;
        }
    }

    /// <summary>Closes the log cleanly, and lets the directory go.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _batch.Dispose();
        }

        await _log.DisposeAsync().ConfigureAwait(false);
        _directoryLock.Dispose();
    }

    private AppendResult Write(string streamId, StreamEntry? stream, IReadOnlyList<EventData> events, AppendPlan plan)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _batch.Reset();
        for (var i = plan.Skip; i < events.Count; i++)
        {
            StoredEventCodec.Add(_batch, streamId, plan.FirstVersion + i - plan.Skip, events[i], now);
        }

        if (_batch.UncompressedSize > _options.MaxAppendBytes - RecordBatchHeader.Size)
        {
            throw new ArgumentException($"The append to '{streamId}' takes {_batch.UncompressedSize} bytes; at most {_options.MaxAppendBytes} (MaxAppendBytes) are accepted.", nameof(events));
        }

        var appended = AppendBatchLocked();
        if (!appended.Succeeded)
        {
            throw new InvalidOperationException($"The log refused the append to '{streamId}': {appended.Problem}");
        }

        stream ??= _streams[streamId] = new StreamEntry(streamId);
        stream.State = stream.State with { Deleted = false }; // a soft-deleted stream comes back with its next event
        for (var i = plan.Skip; i < events.Count; i++)
        {
            var version = plan.FirstVersion + i - plan.Skip;
            stream.Add(appended.BaseOffset + i - plan.Skip);
            _ids[events[i].EventId] = new EventLocation(stream, version);
        }

        return new AppendResult(stream.LastVersion!.Value, appended.LastOffset);
    }

    // A stream's metadata or life cycle changes by a record in the log, so it is ordered with the events and survives a crash.
    private async Task ChangeStateAsync(string streamId, ExpectedVersion expected, Func<StreamState, StreamState> change, bool truncateAll, CancellationToken cancellationToken)
    {
        StoreArguments.CheckStreamId(streamId);
        long position;
        lock (_gate)
        {
            var stream = _streams.GetValueOrDefault(streamId);
            if (stream?.State.Tombstoned == true)
            {
                throw new StreamDeletedException(streamId);
            }

            var current = stream?.VisibleLastVersion;
            if (!expected.IsMetBy(current, current))
            {
                throw new WrongExpectedVersionException(streamId, expected, current);
            }

            stream ??= Entry(streamId);
            var state = change(stream.State);
            if (truncateAll)
            {
                state = state with { Metadata = state.Metadata with { TruncateBefore = (stream.LastVersion ?? -1) + 1 } };
            }

            _batch.Reset();
            StoredEventCodec.AddStreamState(_batch, streamId, state, _time.GetUtcNow().ToUnixTimeMilliseconds());
            var appended = AppendBatchLocked();
            if (!appended.Succeeded)
            {
                throw new InvalidOperationException($"The log refused the change to '{streamId}': {appended.Problem}");
            }

            stream.State = state;
            position = appended.BaseOffset;
            _controlPositions.Add(position);
        }

        await _log.WaitForDurableAsync(position + 1, cancellationToken).ConfigureAwait(false);
    }

    private StreamEntry Entry(string streamId)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            _streams[streamId] = stream = new StreamEntry(streamId);
        }

        return stream;
    }

    private Storage.AppendResult AppendBatchLocked()
    {
        _batchBytes.ResetWrittenCount();
        _batch.WriteTo(_batchBytes);
        var appended = _log.Append(MemoryMarshal.AsMemory(_batchBytes.WrittenMemory).Span);
        if (_batchBytes.WrittenCount > ReadBytes)
        {
            _batchBytes = new ArrayBufferWriter<byte>(4096); // a large append's buffer is not kept for ever
        }

        return appended;
    }

    private void Rebuild()
    {
        foreach (var record in StoredRecords(_log.LogStartOffset, _log.LogEndOffset))
        {
            if (StoredEventCodec.IsSnapshot(record))
            {
                _snapshots[StoredEventCodec.ReadSnapshot(record).StreamId] = record.Offset;
                _controlPositions.Add(record.Offset);
                continue;
            }

            if (StoredEventCodec.IsStreamState(record))
            {
                var (id, state) = StoredEventCodec.ReadStreamState(record);
                Entry(id).State = state;
                _controlPositions.Add(record.Offset);
                continue;
            }

            var e = StoredEventCodec.Read(record);
            var stream = Entry(e.StreamId);
            stream.State = stream.State with { Deleted = false };
            if (e.Version != (stream.LastVersion ?? -1) + 1)
            {
                throw new CorruptLogException(_options.Directory, record.Offset, $"stream '{e.StreamId}' jumps from version {stream.LastVersion} to {e.Version}");
            }

            stream.Add(record.Offset);
            _ids[e.EventId] = new EventLocation(stream, e.Version);
        }
    }
}
