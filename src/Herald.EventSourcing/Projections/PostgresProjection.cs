namespace Herald.EventSourcing;

/// <summary>
/// A read model in PostgreSQL tables, on the PostgreSQL store. Each batch of events and the projection's checkpoint are
/// written in one transaction, handed to <see cref="ApplyAsync"/> in <see cref="PostgresProjectionContext"/>, so each
/// event takes effect once even across crashes and several instances of the application.
/// </summary>
/// <remarks>
/// Name tables through <see cref="PostgresProjectionContext.Table"/>: each generation gets tables of its own, and
/// readers query a view of the same name (<c>herald.orders_by_customer</c>) that is moved to a new generation in one
/// transaction when it takes over.
/// </remarks>
public abstract class PostgresProjection : Projection
{
    /// <summary>
    /// Whether appends apply events to the served generation in their own transaction, so a read after an append sees
    /// it (read-your-writes). Events appended through a store without this projection registered (another application,
    /// <c>herald streams append</c>) are applied by the runner shortly after, as for an async projection; each event
    /// still takes effect once. Defaults to false: applied by the runner, after the append.
    /// </summary>
    public virtual bool Inline => false;

    /// <summary>Creates a new generation's tables (and indexes) in <paramref name="context"/>'s transaction.</summary>
    public abstract Task CreateAsync(PostgresProjectionContext context, CancellationToken cancellationToken);

    /// <summary>Applies one event to the tables, in <paramref name="context"/>'s transaction.</summary>
    public abstract Task ApplyAsync(PostgresProjectionContext context, ProjectedEvent projected, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a batch of events (up to 500, in order) in one transaction: by default <see cref="ApplyAsync"/> for each.
    /// Override it to write a batch in fewer statements (say, one upsert per row the batch touches), which is what makes
    /// rebuilds fast.
    /// </summary>
    public virtual async Task ApplyBatchAsync(PostgresProjectionContext context, IReadOnlyList<ProjectedEvent> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var projected in batch)
        {
            await ApplyAsync(context, projected, cancellationToken).ConfigureAwait(false);
        }
    }

    internal override IProjectionStorage CreateStorage(ProjectionEnvironment environment) =>
        environment.Postgres is { } store
            ? new PostgresProjectionStorage(this, store)
            : throw new InvalidOperationException($"Projection '{Name}' is a PostgresProjection: it needs the PostgreSQL store (UsePostgres(...)).");
}
