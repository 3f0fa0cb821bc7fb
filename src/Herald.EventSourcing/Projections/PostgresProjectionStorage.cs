using Npgsql;
using static Herald.EventSourcing.Postgres.PostgresCommands;

namespace Herald.EventSourcing;

/// <summary>
/// A PostgreSQL projection's generations as rows of <c>projections</c> (checkpoint, live, the tables it made), each
/// with tables named <c>{table}_g{generation}</c> and the live one behind views named <c>{table}</c>.
/// </summary>
internal sealed class PostgresProjectionStorage(PostgresProjection projection, PostgresEventStore store) : IProjectionStorage
{
    private readonly PostgresProjection _projection = projection;
    private readonly PostgresEventStore _store = store;
    private readonly string _s = store.Schema;

    public async Task<IReadOnlyList<GenerationInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"SELECT generation, version, checkpoint, live FROM {_s}.projections WHERE name = $1", connection) { Parameters = { new() { Value = _projection.Name } } };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var found = new List<GenerationInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(new GenerationInfo(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetBoolean(3)));
        }

        return found;
    }

    public Task<IProjectionGeneration> OpenAsync(GenerationInfo generation, CancellationToken cancellationToken) =>
        Task.FromResult<IProjectionGeneration>(new Generation(this, generation));

    public async Task<IProjectionGeneration> CreateAsync(int version, CancellationToken cancellationToken)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext('herald-projection-' || $1))", cancellationToken, _projection.Name).ConfigureAwait(false);
        await using var next = new NpgsqlCommand($"SELECT coalesce(max(generation), 0) + 1 FROM {_s}.projections WHERE name = $1", connection, transaction) { Parameters = { new() { Value = _projection.Name } } };
        var generation = (int)(await next.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var context = new PostgresProjectionContext(connection, transaction, _s, generation, []);
        await _projection.CreateAsync(context, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            transaction,
            $"INSERT INTO {_s}.projections (name, generation, version, tables) VALUES ($1, $2, $3, $4)",
            cancellationToken,
            _projection.Name,
            generation,
            version,
            context.Tables.ToArray()).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new Generation(this, new GenerationInfo(generation, version, 0, Live: false));
    }

    public async Task TakeOverAsync(IProjectionGeneration next, GenerationInfo? previous, CancellationToken cancellationToken)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var nextTables = await TablesAsync(connection, transaction, next.Info.Generation, cancellationToken).ConfigureAwait(false);
        var previousTables = previous is null ? [] : await TablesAsync(connection, transaction, previous.Generation, cancellationToken).ConfigureAwait(false);
        foreach (var table in previousTables.Union(nextTables))
        {
            await ExecuteAsync(connection, transaction, $"DROP VIEW IF EXISTS {_s}.{table}", cancellationToken).ConfigureAwait(false);
        }

        foreach (var table in nextTables)
        {
            await ExecuteAsync(connection, transaction, $"CREATE VIEW {_s}.{table} AS SELECT * FROM {_s}.{table}_g{next.Info.Generation}", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"UPDATE {_s}.projections SET live = (generation = $2) WHERE name = $1", cancellationToken, _projection.Name, next.Info.Generation).ConfigureAwait(false);
        if (previous is not null)
        {
            await DropAsync(connection, transaction, previous.Generation, previousTables, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        next.Serve();
    }

    public async Task DropAsync(GenerationInfo generation, CancellationToken cancellationToken)
    {
        await using var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var tables = await TablesAsync(connection, transaction, generation.Generation, cancellationToken).ConfigureAwait(false);
        await DropAsync(connection, transaction, generation.Generation, tables, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string[]> TablesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT tables FROM {_s}.projections WHERE name = $1 AND generation = $2 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = _projection.Name }, new() { Value = generation } },
        };
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string[] ?? [];
    }

    private async Task DropAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, string[] tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {_s}.{table}_g{generation} CASCADE", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.projections WHERE name = $1 AND generation = $2", cancellationToken, _projection.Name, generation).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"DELETE FROM {_s}.inline_applied WHERE name = $1 AND generation = $2", cancellationToken, _projection.Name, generation).ConfigureAwait(false);
    }

    /// <summary>A generation's checkpoint row; each batch moves it in the transaction that writes the batch.</summary>
    private sealed class Generation(PostgresProjectionStorage storage, GenerationInfo info) : IProjectionGeneration
    {
        private string[]? _tables;

        public GenerationInfo Info { get; private set; } = info;

        public async Task ApplyAsync(IReadOnlyList<ProjectedEvent> events, long checkpoint, CancellationToken cancellationToken)
        {
            var s = storage._s;
            await using var connection = await storage._store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

            // Moving the checkpoint first takes the row's lock: another instance's runner on the same generation waits
            // here, then finds the checkpoint moved and gives way, so no event is applied twice.
            await using (var move = new NpgsqlCommand($"UPDATE {s}.projections SET checkpoint = $4 WHERE name = $1 AND generation = $2 AND checkpoint = $3 RETURNING tables", connection, transaction)
            {
                Parameters = { new() { Value = storage._projection.Name }, new() { Value = Info.Generation }, new() { Value = Info.Checkpoint }, new() { Value = checkpoint } },
            })
            {
                _tables = await move.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string[]
                    ?? throw new ProjectionConflictException($"Projection '{storage._projection.Name}' generation {Info.Generation} was moved past {Info.Checkpoint} by another process.");
            }

            var appliedInline = storage._projection.Inline ? await TakeAppliedInlineAsync(connection, transaction, checkpoint, cancellationToken).ConfigureAwait(false) : [];
            var context = new PostgresProjectionContext(connection, transaction, s, Info.Generation, _tables);
            var batch = appliedInline.Count == 0 ? events : [.. events.Where(e => !appliedInline.Contains(e.Recorded.Position))];
            if (batch.Count > 0)
            {
                await storage._projection.ApplyBatchAsync(context, batch, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            Info = Info with { Checkpoint = checkpoint };
        }

        public void Serve() => Info = Info with { Live = true };

        // The events below the checkpoint that appends already applied to this generation; their marks go with them.
        private async Task<HashSet<long>> TakeAppliedInlineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long checkpoint, CancellationToken cancellationToken)
        {
            await using var take = new NpgsqlCommand($"DELETE FROM {storage._s}.inline_applied WHERE name = $1 AND generation = $2 AND position < $3 RETURNING position", connection, transaction)
            {
                Parameters = { new() { Value = storage._projection.Name }, new() { Value = Info.Generation }, new() { Value = checkpoint } },
            };
            await using var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var positions = new HashSet<long>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                positions.Add(reader.GetInt64(0));
            }

            return positions;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
