using System.Data;
using System.Runtime.CompilerServices;
using Herald.EventSourcing.Postgres;
using static Herald.EventSourcing.Postgres.PostgresCommands;
using Npgsql;
using NpgsqlTypes;

namespace Herald.EventSourcing;

/// <summary>
/// The event store on PostgreSQL, for teams that run it already and for more than one machine. An append is one
/// transaction that locks its stream's row, so expected versions hold across processes. <c>$all</c> is read in
/// transaction order and only up to the oldest transaction still running, so a reader never skips an event that
/// commits late and never stalls behind one that rolled back.
/// </summary>
public sealed class PostgresEventStore : IEventStore, IAllStreamWatch, ISnapshotLoader
{
    private const int Page = 500;
    private const int MaxEventsPerAppend = 65_535;
    private const string Columns = "position, stream_id, version, event_id, type, data, correlation_id, causation_id, traceparent, created";
    private readonly NpgsqlDataSource _source;
    private readonly string _s;
    private readonly string _channel;
    private readonly AppendNotifier _notifier;
    private readonly string[] _pageSql;

    private PostgresEventStore(NpgsqlDataSource source, string schema)
    {
        _source = source;
        _s = schema;
        _channel = "herald_events_" + schema;
        _notifier = new AppendNotifier(source, _channel);
        _pageSql = [PageSql(false, false), PageSql(true, false), PageSql(false, true), PageSql(true, true)];
    }

    /// <summary>Connects, and creates or migrates the store's tables in <see cref="PostgresEventStoreOptions.Schema"/>.</summary>
    public static async Task<PostgresEventStore> OpenAsync(PostgresEventStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            // The store sends the same few statements over and over; planning each one again costs more than running it.
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        }

        var source = builder.Build();
        try
        {
            await PostgresSchema.MigrateAsync(source, options.Schema, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new PostgresEventStore(source, options.Schema);
    }

    /// <inheritdoc/>
    public Task<AppendResult> AppendAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        StoreArguments.CheckEvents(events);
        if (events.Count > MaxEventsPerAppend)
        {
            throw new ArgumentException($"An append takes at most {MaxEventsPerAppend} events.", nameof(events));
        }

        return AppendCoreAsync(streamId, expected, events, cancellationToken);
    }

    private async Task<AppendResult> AppendCoreAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Inline is null && await TryAppendAtOnceAsync(streamId, expected, events, started, cancellationToken).ConfigureAwait(false) is { } appended)
        {
            return appended;
        }

        return await AppendCarefullyAsync(streamId, expected, events, started, cancellationToken).ConfigureAwait(false);
    }

    // The usual append in one round trip (the schema's append function); null when some of the ids are stored already.
    private async Task<AppendResult?> TryAppendAtOnceAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, long started, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var append = Command(
            connection,
            null,
            $"SELECT status, version, first_position FROM {_s}.append($1, $2, $3, $4, $5, $6, $7, $8)",
            streamId,
            expected.Value,
            events.Select(e => e.EventId).ToArray(),
            events.Select(e => e.Type).ToArray(),
            events.Select(e => e.Data.ToArray()).ToArray(),
            events.Select(e => e.CorrelationId).ToArray(),
            events.Select(e => e.CausationId).ToArray(),
            events.Select(e => e.TraceParent).ToArray());
        int status;
        long? version;
        long firstPosition;
        try
        {
            await using var reader = await append.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            (status, version, firstPosition) = (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt64(2));
        }
        catch (PostgresException duplicate) when (duplicate.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return null; // another transaction stored one of these ids at the same moment: the careful path sorts it out
        }

        switch (status)
        {
            case 0:
                _notifier.Appended();
                EventStoreTelemetry.Appended("postgresql", events.Count, started);
                return new AppendResult(version!.Value, firstPosition + events.Count - 1);
            case 1:
                EventStoreTelemetry.Refused("postgresql", started);
                throw new WrongExpectedVersionException(streamId, expected, version);
            case 2:
                throw new StreamDeletedException(streamId);
            default:
                return null;
        }
    }

    private async Task<AppendResult> AppendCarefullyAsync(string streamId, ExpectedVersion expected, IReadOnlyList<EventData> events, long started, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        var (current, visible) = await LockStreamAsync(connection, transaction, streamId, cancellationToken).ConfigureAwait(false);
        var stored = await FindStoredAsync(connection, transaction, events, cancellationToken).ConfigureAwait(false);
        AppendPlan plan;
        try
        {
            plan = AppendPlan.For(streamId, current, visible, expected, events, id => stored.TryGetValue(id, out var at) ? at : null);
        }
        catch (WrongExpectedVersionException)
        {
            EventStoreTelemetry.Refused("postgresql", started);
            throw;
        }

        if (plan.IsDuplicate(events.Count))
        {
            var last = plan.FirstVersion - 1;
            await using var position = Command(connection, transaction, $"SELECT position FROM {_s}.events WHERE stream_id = $1 AND version = $2", streamId, last);
            var duplicate = new AppendResult(last, (long)(await position.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
            EventStoreTelemetry.Appended("postgresql", 0, started);
            return duplicate;
        }

        var fresh = events.Skip(plan.Skip).ToList();
        await using var insert = Command(
            connection,
            transaction,
            $"""
            INSERT INTO {_s}.events (position, stream_id, version, event_id, type, data, correlation_id, causation_id, traceparent)
            SELECT pg_current_xact_id()::text::bigint * 65536 + e.n - 1, $1, $2 + e.n - 1, e.id, e.type, e.data, e.correlation, e.causation, e.trace
            FROM unnest($3::uuid[], $4::text[], $5::bytea[], $6::text[], $7::text[], $8::text[]) WITH ORDINALITY AS e(id, type, data, correlation, causation, trace, n)
            RETURNING position, created, version
            """,
            streamId,
            plan.FirstVersion,
            fresh.Select(e => e.EventId).ToArray(),
            fresh.Select(e => e.Type).ToArray(),
            fresh.Select(e => e.Data.ToArray()).ToArray(),
            fresh.Select(e => e.CorrelationId).ToArray(),
            fresh.Select(e => e.CausationId).ToArray(),
            fresh.Select(e => e.TraceParent).ToArray());
        var positions = new long[fresh.Count];
        DateTimeOffset created = default;
        try
        {
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                positions[reader.GetInt64(2) - plan.FirstVersion] = reader.GetInt64(0);
                created = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }
        catch (PostgresException duplicate) when (duplicate.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another transaction stored one of these ids, elsewhere, at the same moment.
            EventStoreTelemetry.Refused("postgresql", started);
            throw new WrongExpectedVersionException(streamId, expected, visible);
        }

        var lastVersion = plan.FirstVersion + fresh.Count - 1;
        var lastPosition = positions.Max();
        if (Inline is { } inline)
        {
            var recorded = fresh.Select((e, i) => new RecordedEvent(streamId, plan.FirstVersion + i, positions[i], e.EventId, e.Type, e.Data, created)
            {
                CorrelationId = e.CorrelationId,
                CausationId = e.CausationId,
                TraceParent = e.TraceParent,
            }).ToList();
            await inline.ApplyAsync(connection, transaction, _s, recorded, cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"UPDATE {_s}.streams SET last_version = $2, deleted = false WHERE stream_id = $1", cancellationToken, streamId, lastVersion).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _notifier.Appended();
        EventStoreTelemetry.Appended("postgresql", fresh.Count, started);
        return new AppendResult(lastVersion, lastPosition);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, Direction direction = Direction.Forwards, long? fromVersion = null, long maxCount = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var forwards = direction == Direction.Forwards;
        var next = fromVersion ?? (forwards ? 0 : long.MaxValue);
        for (var left = maxCount; left > 0;)
        {
            var limit = (int)Math.Min(left, Page);
            var (exists, tombstoned, page) = await ReadStreamPageAsync(connection, streamId, next, limit, forwards, cancellationToken).ConfigureAwait(false);
            if (tombstoned)
            {
                throw new StreamDeletedException(streamId);
            }

            foreach (var e in page)
            {
                yield return e;
            }

            left -= page.Count;
            if (!exists || page.Count < limit)
            {
                break;
            }

            next = forwards ? page[^1].Version + 1 : page[^1].Version - 1;
        }
    }

    async Task<SnapshotLoad> ISnapshotLoader.LoadAsync(string streamId, CancellationToken cancellationToken)
    {
        StoreArguments.CheckStreamId(streamId);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var (exists, tombstoned, snapshot, page) = await ReadPageAsync(connection, streamId, null, Page, forwards: true, afterSnapshot: true, cancellationToken).ConfigureAwait(false);
        return tombstoned ? throw new StreamDeletedException(streamId) : new SnapshotLoad(exists ? snapshot : null, page, MayHaveMore: page.Count == Page);
    }

    private async Task<(bool Exists, bool Tombstoned, List<RecordedEvent> Page)> ReadStreamPageAsync(NpgsqlConnection connection, string streamId, long from, int limit, bool forwards, CancellationToken cancellationToken)
    {
        var (exists, tombstoned, _, page) = await ReadPageAsync(connection, streamId, from, limit, forwards, afterSnapshot: false, cancellationToken).ConfigureAwait(false);
        return (exists, tombstoned, page);
    }

    // One page of a stream and its row's state in one round trip: the stream's visible range (deleted, truncated, max
    // count, max age) is applied in the query. No rows at all: no such stream.
    private string PageSql(bool forwards, bool afterSnapshot) =>
        $"""
            SELECT st.tombstoned, sn.version, sn.schema_version, sn.data, e.{Columns.Replace(", ", ", e.", StringComparison.Ordinal)}
            FROM {_s}.streams st
            LEFT JOIN {_s}.snapshots sn ON {(afterSnapshot ? "sn.stream_id = st.stream_id" : "false")}
            LEFT JOIN LATERAL (
                SELECT ev.* FROM {_s}.events ev
                WHERE ev.stream_id = st.stream_id AND NOT st.deleted AND NOT st.tombstoned
                  AND ev.version {(forwards ? ">=" : "<=")} coalesce($2, sn.version + 1, 0)
                  AND ev.version >= greatest(coalesce(st.truncate_before, 0), st.last_version - coalesce(st.max_count, st.last_version + 1) + 1)
                  AND (st.max_age_ms IS NULL OR ev.created >= now() - st.max_age_ms * interval '1 millisecond')
                ORDER BY ev.version {(forwards ? "ASC" : "DESC")}
                LIMIT $3) e ON true
            WHERE st.stream_id = $1
            """;

    // With afterSnapshot, the page starts after the stream's snapshot, which comes with it.
    private async Task<(bool Exists, bool Tombstoned, Snapshot? Snapshot, List<RecordedEvent> Page)> ReadPageAsync(NpgsqlConnection connection, string streamId, long? from, int limit, bool forwards, bool afterSnapshot, CancellationToken cancellationToken)
    {
        var sql = _pageSql[(forwards ? 1 : 0) + (afterSnapshot ? 2 : 0)];
        await using var command = Command(connection, null, sql, streamId, from, limit);
        command.Parameters[1].NpgsqlDbType = NpgsqlDbType.Bigint; // typed even when null
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var page = new List<RecordedEvent>();
        var (exists, tombstoned) = (false, false);
        Snapshot? snapshot = null;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            (exists, tombstoned) = (true, reader.GetBoolean(0));
            if (snapshot is null && !reader.IsDBNull(1))
            {
                snapshot = new Snapshot(reader.GetInt64(1), reader.GetInt32(2), (byte[])reader[3]);
            }

            if (!reader.IsDBNull(4))
            {
                page.Add(ReadEvent(reader, 4));
            }
        }

        return (exists, tombstoned, snapshot, page);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(long fromPosition = 0, EventFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var end = await HorizonAsync(connection, cancellationToken).ConfigureAwait(false);
        await foreach (var e in ReadRangeAsync(connection, fromPosition, end, filter, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(long fromPosition = 0, EventFilter? filter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPosition);
        await using var listener = await ListenAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        for (var position = fromPosition; ;)
        {
            var end = await HorizonAsync(connection, cancellationToken).ConfigureAwait(false);
            await foreach (var e in ReadRangeAsync(connection, position, end, filter, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
            }

            if (end <= position)
            {
                // Woken by the next append; the wait is bounded because the horizon also moves when other transactions end.
                await listener.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }

            position = Math.Max(position, end);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> SubscribeToStreamAsync(string streamId, long fromVersion = 0, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(fromVersion);
        await using var listener = await ListenAsync(cancellationToken).ConfigureAwait(false);
        for (var version = fromVersion; ;)
        {
            var before = version;
            await foreach (var e in ReadStreamAsync(streamId, Direction.Forwards, version, long.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                yield return e;
                version = e.Version + 1;
            }

            if (version == before)
            {
                await listener.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async Task SaveSnapshotAsync(string streamId, Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            $"INSERT INTO {_s}.snapshots (stream_id, version, schema_version, data) VALUES ($1, $2, $3, $4) ON CONFLICT (stream_id) DO UPDATE SET version = $2, schema_version = $3, data = $4",
            cancellationToken,
            streamId,
            snapshot.Version,
            snapshot.SchemaVersion,
            snapshot.Data.ToArray()).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<Snapshot?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT version, schema_version, data FROM {_s}.snapshots WHERE stream_id = $1", streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Snapshot(reader.GetInt64(0), reader.GetInt32(1), (byte[])reader[2])
            : null;
    }

    /// <inheritdoc/>
    public Task DeleteStreamAsync(string streamId, ExpectedVersion expected, CancellationToken cancellationToken = default) =>
        ChangeStreamAsync(streamId, expected, "deleted = true, truncate_before = last_version + 1", [], cancellationToken);

    /// <inheritdoc/>
    public Task TombstoneStreamAsync(string streamId, ExpectedVersion expected, CancellationToken cancellationToken = default) =>
        ChangeStreamAsync(streamId, expected, "tombstoned = true, truncate_before = last_version + 1", [], cancellationToken);

    /// <inheritdoc/>
    public Task SetStreamMetadataAsync(string streamId, StreamMetadata metadata, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckMetadata(metadata);

        return ChangeStreamAsync(
            streamId,
            ExpectedVersion.Any,
            "max_count = $2, max_age_ms = $3, truncate_before = $4",
            [metadata.MaxCount, (long?)metadata.MaxAge?.TotalMilliseconds, metadata.TruncateBefore],
            cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<StreamMetadata> GetStreamMetadataAsync(string streamId, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadStreamRowAsync(connection, streamId, cancellationToken).ConfigureAwait(false) is { } row
            ? new StreamMetadata { MaxCount = row.MaxCount, MaxAge = row.MaxAge, TruncateBefore = row.TruncateBefore }
            : new StreamMetadata();
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListStreamsAsync(string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var after = "";
        while (true)
        {
            await using var command = Command(
                connection,
                null,
                $"""SELECT stream_id FROM {_s}.streams WHERE starts_with(stream_id, $1) AND stream_id COLLATE "C" > $2 AND last_version >= 0 AND NOT deleted AND NOT tombstoned ORDER BY stream_id COLLATE "C" LIMIT $3""",
                prefix,
                after,
                Page);
            var names = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    names.Add(reader.GetString(0));
                }
            }

            foreach (var name in names)
            {
                yield return name;
            }

            if (names.Count < Page)
            {
                yield break;
            }

            after = names[^1];
        }
    }

    /// <inheritdoc/>
    public async Task<long?> GetStreamVersionAsync(string streamId, CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await ReadStreamRowAsync(connection, streamId, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return null;
        }

        return row.Tombstoned ? throw new StreamDeletedException(streamId) : row.Deleted || row.LastVersion < 0 ? null : row.LastVersion;
    }

    /// <inheritdoc/>
    public async Task<long> GetEndPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await HorizonAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    async Task IAllStreamWatch.WaitBeyondAsync(long position, CancellationToken cancellationToken)
    {
        await using var listener = await ListenAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        while (await HorizonAsync(connection, cancellationToken).ConfigureAwait(false) <= position)
        {
            // The horizon also moves when unrelated transactions end, which sends no notification: hence the bound.
            await listener.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    async Task<long> IAllStreamWatch.CountEventsAsync(long from, long to, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, null, $"SELECT count(*) FROM {_s}.events WHERE position >= $1 AND position < $2", from, to);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    internal NpgsqlDataSource DataSource => _source;

    /// <summary>The projections applied in each append's transaction; set once, before the store is used.</summary>
    internal InlineProjections? Inline { get; set; }

    internal string Schema => _s;

    /// <summary>Closes the connections.</summary>
    public ValueTask DisposeAsync() => _source.DisposeAsync();

    // Every transaction below the oldest one still running has ended, so every position below this is final.
    private static async Task<long> HorizonAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint * 65536", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private async IAsyncEnumerable<RecordedEvent> ReadRangeAsync(NpgsqlConnection connection, long from, long end, EventFilter? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var position = from; position < end;)
        {
            var page = await QueryAsync(connection, $"SELECT {Columns} FROM {_s}.events WHERE position >= $1 AND position < $2 ORDER BY position LIMIT $3", cancellationToken, position, end, Page).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var e in page)
            {
                if (filter is null || filter.Matches(e.StreamId, e.Type))
                {
                    yield return e;
                }
            }

            position = page[^1].Position + 1;
        }
    }

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"LISTEN {_channel}", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private async Task<(long? Current, long? Visible)> LockStreamAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string streamId, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, $"INSERT INTO {_s}.streams (stream_id) VALUES ($1) ON CONFLICT DO NOTHING", cancellationToken, streamId).ConfigureAwait(false);
        await using var command = Command(connection, transaction, $"SELECT last_version, deleted, tombstoned FROM {_s}.streams WHERE stream_id = $1 FOR UPDATE", streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var last = reader.GetInt64(0);
        if (reader.GetBoolean(2))
        {
            throw new StreamDeletedException(streamId);
        }

        long? current = last >= 0 ? last : null;
        return (current, reader.GetBoolean(1) ? null : current);
    }

    private async Task<Dictionary<Guid, StoredAt>> FindStoredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<EventData> events, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT event_id, stream_id, version FROM {_s}.events WHERE event_id = ANY($1)", events.Select(e => e.EventId).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<Guid, StoredAt>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found[reader.GetGuid(0)] = new StoredAt(reader.GetString(1), reader.GetInt64(2));
        }

        return found;
    }

    private async Task ChangeStreamAsync(string streamId, ExpectedVersion expected, string set, object?[] values, CancellationToken cancellationToken)
    {
        StoreArguments.CheckStreamId(streamId);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var (_, visible) = await LockStreamAsync(connection, transaction, streamId, cancellationToken).ConfigureAwait(false);
        if (!expected.IsMetBy(visible, visible))
        {
            throw new WrongExpectedVersionException(streamId, expected, visible);
        }

        await ExecuteAsync(connection, transaction, $"UPDATE {_s}.streams SET {set} WHERE stream_id = $1", cancellationToken, [streamId, .. values]).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<StreamRow?> ReadStreamRowAsync(NpgsqlConnection connection, string streamId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, $"SELECT last_version, max_count, max_age_ms, truncate_before, deleted, tombstoned FROM {_s}.streams WHERE stream_id = $1", streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StreamRow(
            reader.GetInt64(0),
            reader.IsDBNull(1) ? null : reader.GetInt64(1),
            reader.IsDBNull(2) ? null : TimeSpan.FromMilliseconds(reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : reader.GetInt64(3),
            reader.GetBoolean(4),
            reader.GetBoolean(5));
    }

    private static async Task<List<RecordedEvent>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, null, sql, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<RecordedEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ReadEvent(reader, 0));
        }

        return events;
    }

    // An event from the columns of Columns, starting at column offset.
    private static RecordedEvent ReadEvent(NpgsqlDataReader reader, int at) =>
        new(reader.GetString(at + 1), reader.GetInt64(at + 2), reader.GetInt64(at), reader.GetGuid(at + 3), reader.GetString(at + 4), (byte[])reader[at + 5], reader.GetFieldValue<DateTimeOffset>(at + 9))
        {
            CorrelationId = reader.IsDBNull(at + 6) ? null : reader.GetString(at + 6),
            CausationId = reader.IsDBNull(at + 7) ? null : reader.GetString(at + 7),
            TraceParent = reader.IsDBNull(at + 8) ? null : reader.GetString(at + 8),
        };

    private sealed record StreamRow(long LastVersion, long? MaxCount, TimeSpan? MaxAge, long? TruncateBefore, bool Deleted, bool Tombstoned);
}
