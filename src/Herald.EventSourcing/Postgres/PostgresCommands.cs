using Npgsql;
using NpgsqlTypes;

namespace Herald.EventSourcing.Postgres;

/// <summary>Commands with positional parameters (<c>$1</c>, <c>$2</c>, ...), as the store and its projections send them.</summary>
internal static class PostgresCommands
{
    /// <summary>A command whose parameters are <paramref name="values"/>; null is SQL NULL, and a string array is a <c>text[]</c> that may hold nulls.</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
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

    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
