using Npgsql;

namespace Herald.EventSourcing;

/// <summary>The connection and transaction a <see cref="PostgresProjection"/> writes in, and the names of its tables.</summary>
public sealed class PostgresProjectionContext
{
    private readonly string _schema;
    private readonly int _generation;
    private readonly HashSet<string> _tables;

    internal PostgresProjectionContext(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, int generation, IEnumerable<string> tables)
    {
        Connection = connection;
        Transaction = transaction;
        _schema = schema;
        _generation = generation;
        _tables = [.. tables];
    }

    /// <summary>The open connection.</summary>
    public NpgsqlConnection Connection { get; }

    /// <summary>The transaction that also moves the checkpoint; it is committed by the projection's runner.</summary>
    public NpgsqlTransaction Transaction { get; }

    internal IReadOnlyCollection<string> Tables => _tables;

    /// <summary>
    /// The qualified name of this generation's table <paramref name="name"/>, such as <c>herald.orders_g2</c>. Readers
    /// use the view <c>herald.orders</c>, which follows the generation being served.
    /// </summary>
    public string Table(string name)
    {
        Projection.CheckName(name);
        _tables.Add(name);
        return $"{_schema}.{name}_g{_generation}";
    }

    /// <summary>A command on the connection, in the transaction, with <paramref name="values"/> as its parameters <c>$1</c>, <c>$2</c>, ...</summary>
    public NpgsqlCommand Command(string sql, params object?[] values) => Postgres.PostgresCommands.Command(Connection, Transaction, sql, values);
}
