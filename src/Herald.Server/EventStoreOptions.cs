namespace Herald.Server;

/// <summary>
/// The event store the server shows under <c>/api/v1/streams</c> and <c>/api/v1/projections</c>: an embedded one in a
/// directory (which the server then holds; no application may have it open), or a PostgreSQL one, which the server
/// shares with the applications that append to it. Immutable.
/// </summary>
public sealed record EventStoreOptions
{
    /// <summary>The embedded store's directory; null when <see cref="PostgresConnectionString"/> is given.</summary>
    public string? Directory { get; init; }

    /// <summary>A PostgreSQL connection string for the PostgreSQL store; null for the embedded one.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The PostgreSQL store's schema. Defaults to <c>herald</c>.</summary>
    public string Schema { get; init; } = "herald";

    /// <summary>Where the embedded store's projections keep their statuses. Defaults to <c>projections</c> in <see cref="Directory"/>.</summary>
    public string? ProjectionDirectory { get; init; }

    /// <summary>Checks that exactly one store is named; throws <see cref="ArgumentException"/> otherwise.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Directory) == string.IsNullOrEmpty(PostgresConnectionString))
        {
            throw new ArgumentException("Name one event store: a directory for the embedded store, or a PostgreSQL connection string.");
        }
    }
}
