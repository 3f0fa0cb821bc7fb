using System.Data;
using System.Runtime.CompilerServices;
using Herald.EventSourcing.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Herald.EventSourcing;

/// <summary>
/// The event store on PostgreSQL, for teams that run it already and for more than one machine. An append is one
/// transaction that locks its stream's row, so expected versions hold across processes. <c>$all</c> is read in
/// transaction order and only up to the oldest transaction still running, so a reader never skips an event that
/// commits late and never stalls behind one that rolled back.
/// </summary>
public sealed class PostgresEventStore : IEventStore, IAllStreamWatch
{
    private const int Page = 500;
    private const int MaxEventsPerAppend = 65_535;
    private const string Columns = "position, stream_id, version, event_id, type, data, correlation_id, causation_id, traceparent, created";
    private readonly NpgsqlDataSource _source;
    private readonly string _s;
    private readonly string _channel;

    private PostgresEventStore(NpgsqlDataSource source, string schema)
    {
        _source = source;
        _s = schema;
        _channel = "herald_events_" + schema;
    }

    /// <summary>Connects, and creates or migrates the store's tables in <see cref="PostgresEventStoreOptions.Schema"/>.</summary>
    public static async Task<PostgresEventStore> OpenAsync(PostgresEventStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var source = NpgsqlDataSource.Create(options.ConnectionString);
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
        await ExecuteAsync(connection, transaction, "SELECT pg_notify($1, '')", cancellationToken, _channel).ConfigureAwait(false); // delivered at commit
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        EventStoreTelemetry.Appended("postgresql", fresh.Count, started);
        return new AppendResult(lastVersion, lastPosition);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string streamId, Direction direction = Direction.Forwards, long? fromVersion = null, long maxCount = long.MaxValue, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StoreArguments.CheckStreamId(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await ReadStreamRowAsync(connection, streamId, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            yield break;
        }

        if (row.Tombstoned)
        {
            throw new StreamDeletedException(streamId);
        }

        if (row.Deleted || row.LastVersion < 0)
        {
            yield break;
        }

        var first = Math.Max(row.TruncateBefore ?? 0, row.MaxCount is { } max ? row.LastVersion - max + 1 : 0);
        var oldest = row.MaxAge is { } age ? DateTimeOffset.UtcNow - age : DateTimeOffset.MinValue;
        var forwards = direction == Direction.Forwards;
        var next = forwards ? Math.Max(fromVersion ?? 0, first) : Math.Min(fromVersion ?? row.LastVersion, row.LastVersion);
        for (var left = maxCount; left > 0 && (forwards ? next <= row.LastVersion : next >= first);)
        {
            var sql = forwards
                ? $"SELECT {Columns} FROM {_s}.events WHERE stream_id = $1 AND version >= $2 AND version <= $3 ORDER BY version LIMIT $4"
                : $"SELECT {Columns} FROM {_s}.events WHERE stream_id = $1 AND version <= $2 AND version >= $3 ORDER BY version DESC LIMIT $4";
            var page = await QueryAsync(connection, sql, cancellationToken, streamId, next, forwards ? row.LastVersion : first, (int)Math.Min(left, Page)).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var e in page)
            {
                left--;
                if (e.Timestamp >= oldest)
                {
                    yield return e;
                }
            }

            next = forwards ? page[^1].Version + 1 : page[^1].Version - 1;
        }
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
            events.Add(new RecordedEvent(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(0), reader.GetGuid(3), reader.GetString(4), (byte[])reader[5], reader.GetFieldValue<DateTimeOffset>(9))
            {
                CorrelationId = reader.IsDBNull(6) ? null : reader.GetString(6),
                CausationId = reader.IsDBNull(7) ? null : reader.GetString(7),
                TraceParent = reader.IsDBNull(8) ? null : reader.GetString(8),
            });
        }

        return events;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value },
                string[] texts => new NpgsqlParameter { Value = texts.Select(t => (object?)t ?? DBNull.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }

    private sealed record StreamRow(long LastVersion, long? MaxCount, TimeSpan? MaxAge, long? TruncateBefore, bool Deleted, bool Tombstoned);
}
