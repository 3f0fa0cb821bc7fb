using Npgsql;

namespace Herald.EventSourcing;

/// <summary>
/// Applies an append's events to the served generation of each inline projection, in the append's transaction, and
/// marks them applied there, so the projection's runner passes over them instead of applying them again.
/// </summary>
internal sealed class InlineProjections(IReadOnlyList<PostgresProjection> projections, EventCodec codec)
{
    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, IReadOnlyList<RecordedEvent> events, CancellationToken cancellationToken)
    {
        foreach (var projection in projections)
        {
            var projected = new List<ProjectedEvent>();
            foreach (var recorded in events)
            {
                if (projection.Filter.Matches(recorded.StreamId, recorded.Type) && codec.DecodeIfKnown(recorded) is { } decoded)
                {
                    projected.Add(new ProjectedEvent(recorded, decoded));
                }
            }

            if (projected.Count == 0)
            {
                continue;
            }

            await using var live = new NpgsqlCommand($"SELECT generation, tables FROM {schema}.projections WHERE name = $1 AND live", connection, transaction) { Parameters = { new() { Value = projection.Name } } };
            int generation;
            string[] tables;
            await using (var reader = await live.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue; // its first generation is still being built: the runner applies these
                }

                (generation, tables) = (reader.GetInt32(0), reader.GetFieldValue<string[]>(1));
            }

            var context = new PostgresProjectionContext(connection, transaction, schema, generation, tables);
            await projection.ApplyBatchAsync(context, projected, cancellationToken).ConfigureAwait(false);

            await using var mark = new NpgsqlCommand($"INSERT INTO {schema}.inline_applied (name, generation, position) SELECT $1, $2, unnest($3::bigint[])", connection, transaction)
            {
                Parameters = { new() { Value = projection.Name }, new() { Value = generation }, new() { Value = projected.Select(e => e.Recorded.Position).ToArray() } },
            };
            await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
