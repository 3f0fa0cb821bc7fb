using Npgsql;

namespace Herald.EventSourcing.Postgres;

/// <summary>
/// Creates and migrates the store's tables, versioned and idempotent; concurrent openers take turns on an advisory lock.
/// An event's position is its transaction id times 65,536 plus its index in the append, so that <c>$all</c> can be
/// read in transaction order up to the oldest transaction still running, and never past an event that commits late.
/// </summary>
internal static class PostgresSchema
{
    public const int Version = 2;

    public static async Task MigrateAsync(NpgsqlDataSource source, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('herald-event-store-schema'))", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE IF NOT EXISTS {schema}.schema_version (version int NOT NULL)", cancellationToken).ConfigureAwait(false);
        await using (var read = new NpgsqlCommand($"SELECT max(version) FROM {schema}.schema_version", connection, transaction))
        {
            var current = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int v ? v : 0;
            if (current > Version)
            {
                throw new InvalidOperationException($"The event store in schema '{schema}' is at version {current}, newer than this Herald knows ({Version}).");
            }

            if (current < 1)
            {
                await ExecuteAsync(connection, transaction, V1(schema), cancellationToken).ConfigureAwait(false);
            }

            if (current < 2)
            {
                await ExecuteAsync(connection, transaction, V2(schema), cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string V1(string s) => $"""
        CREATE TABLE {s}.streams (
            stream_id text PRIMARY KEY,
            last_version bigint NOT NULL DEFAULT -1,
            max_count bigint,
            max_age_ms bigint,
            truncate_before bigint,
            deleted boolean NOT NULL DEFAULT false,
            tombstoned boolean NOT NULL DEFAULT false);
        CREATE TABLE {s}.events (
            position bigint PRIMARY KEY,
            stream_id text NOT NULL,
            version bigint NOT NULL,
            event_id uuid NOT NULL UNIQUE,
            type text NOT NULL,
            data bytea NOT NULL,
            correlation_id text,
            causation_id text,
            traceparent text,
            created timestamptz NOT NULL DEFAULT now(),
            UNIQUE (stream_id, version));
        CREATE TABLE {s}.snapshots (
            stream_id text PRIMARY KEY,
            version bigint NOT NULL,
            schema_version int NOT NULL,
            data bytea NOT NULL);
        INSERT INTO {s}.schema_version VALUES (1);
        """;

    // Projections (one row per generation of each), rebuild requests, their last status, the events inline projections
    // applied in the append's transaction (so their runner passes over them), and relay checkpoints.
    private static string V2(string s) => $"""
        CREATE TABLE {s}.projections (
            name text NOT NULL,
            generation int NOT NULL,
            version int NOT NULL,
            checkpoint bigint NOT NULL DEFAULT 0,
            live boolean NOT NULL DEFAULT false,
            tables text[] NOT NULL DEFAULT ARRAY[]::text[],
            PRIMARY KEY (name, generation));
        CREATE TABLE {s}.projection_requests (
            name text PRIMARY KEY,
            requested timestamptz NOT NULL DEFAULT now());
        CREATE TABLE {s}.projection_status (
            name text PRIMARY KEY,
            status jsonb NOT NULL);
        CREATE TABLE {s}.inline_applied (
            name text NOT NULL,
            generation int NOT NULL,
            position bigint NOT NULL,
            PRIMARY KEY (name, generation, position));
        CREATE TABLE {s}.checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL);
        INSERT INTO {s}.schema_version VALUES (2);
        {AppendFunction(s)}
        """;

    // An append in one round trip and one implicit transaction, for the usual case: lock the stream's row, check the
    // expected version (the rule of ExpectedVersion.IsMetBy), insert, move the stream on. When an id is stored
    // already it returns 3 and writes nothing, and the store takes the careful path that recognises retries.
    // Status: 0 appended, 1 wrong expected version (with the visible version), 2 tombstoned, 3 ids already stored.
    private static string AppendFunction(string s) => $"""
        CREATE FUNCTION {s}.append(p_stream text, p_expected bigint, p_ids uuid[], p_types text[], p_data bytea[], p_correlation text[], p_causation text[], p_trace text[])
        RETURNS TABLE (status int, version bigint, first_position bigint, created timestamptz)
        LANGUAGE plpgsql AS $$
        DECLARE
            v_last bigint;
            v_deleted boolean;
            v_tombstoned boolean;
            v_visible bigint;
            v_base bigint;
        BEGIN
            IF EXISTS (SELECT 1 FROM {s}.events ev WHERE ev.event_id = ANY(p_ids)) THEN
                RETURN QUERY SELECT 3, NULL::bigint, 0::bigint, now();
                RETURN;
            END IF;
            v_last := -1;
            IF p_expected IN (-2, -1) THEN
                -- A stream that does not exist yet is created already moved on: no lock to take, no row to update.
                INSERT INTO {s}.streams (stream_id, last_version) VALUES (p_stream, cardinality(p_ids) - 1) ON CONFLICT DO NOTHING;
                IF NOT FOUND THEN
                    v_last := NULL;
                END IF;
            ELSE
                v_last := NULL;
            END IF;
            IF v_last IS NULL THEN
                INSERT INTO {s}.streams (stream_id) VALUES (p_stream) ON CONFLICT DO NOTHING;
                SELECT st.last_version, st.deleted, st.tombstoned INTO v_last, v_deleted, v_tombstoned FROM {s}.streams st WHERE st.stream_id = p_stream FOR UPDATE;
                IF v_tombstoned THEN
                    RETURN QUERY SELECT 2, v_last, 0::bigint, now();
                    RETURN;
                END IF;
                v_visible := CASE WHEN v_deleted OR v_last < 0 THEN NULL ELSE v_last END;
                IF NOT (CASE p_expected WHEN -2 THEN true WHEN -1 THEN v_visible IS NULL WHEN -4 THEN v_visible IS NOT NULL ELSE v_last = p_expected END) THEN
                    RETURN QUERY SELECT 1, v_visible, 0::bigint, now();
                    RETURN;
                END IF;
                UPDATE {s}.streams SET last_version = v_last + cardinality(p_ids), deleted = false WHERE stream_id = p_stream;
            END IF;
            v_base := pg_current_xact_id()::text::bigint * 65536;
            INSERT INTO {s}.events (position, stream_id, version, event_id, type, data, correlation_id, causation_id, traceparent)
            SELECT v_base + e.n - 1, p_stream, v_last + e.n, e.id, e.type, e.data, e.correlation, e.causation, e.trace
            FROM unnest(p_ids, p_types, p_data, p_correlation, p_causation, p_trace) WITH ORDINALITY AS e(id, type, data, correlation, causation, trace, n);
            RETURN QUERY SELECT 0, v_last + cardinality(p_ids), v_base, now();
        END
        $$;
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
