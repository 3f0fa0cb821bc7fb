namespace Herald.EventSourcing;

/// <summary>Settings of the PostgreSQL event store.</summary>
public sealed record PostgresEventStoreOptions
{
    /// <summary>How to reach the database (Npgsql's connection string). Required.</summary>
    public string ConnectionString { get; init; } = "";

    /// <summary>The schema the store's tables live in; created when missing. Defaults to <c>herald</c>.</summary>
    public string Schema { get; init; } = "herald";

    /// <summary>Checks the settings once, at open.</summary>
    /// <exception cref="ArgumentException">Naming the first setting out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("ConnectionString must be set.");
        }

        if (string.IsNullOrEmpty(Schema) || Schema.Length > 63 || !Schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') || char.IsAsciiDigit(Schema[0]))
        {
            throw new ArgumentException($"Schema must be a lower-case SQL identifier (letters, digits, _), got '{Schema}'.");
        }
    }
}
