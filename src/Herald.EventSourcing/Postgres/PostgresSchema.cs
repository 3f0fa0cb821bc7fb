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
        """;

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
