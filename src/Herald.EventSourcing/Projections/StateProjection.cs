using System.Runtime.CompilerServices;

namespace Herald.EventSourcing;

/// <summary>
/// A read model held in memory, as one value of <typeparamref name="TState"/> that <see cref="Apply"/> evolves. Its
/// state is saved to a file together with the position it was projected up to, at most every
/// <see cref="SaveInterval"/>, so after a crash it goes on from a state and checkpoint that belong together: each event
/// takes effect once. Runs on either store.
/// </summary>
/// <remarks>
/// <see cref="Apply"/> is called on one task at a time while readers read <see cref="State"/> from others: return a new
/// value (records, immutable collections) rather than changing the one passed in.
/// </remarks>
public abstract class StateProjection<TState> : Projection
{
    private StrongBox<TState>? _served;

    /// <summary>The state before any event.</summary>
    public abstract TState Initial { get; }

    /// <summary>How often the state is saved at most. Defaults to 1 second.</summary>
    public virtual TimeSpan SaveInterval => TimeSpan.FromSeconds(1);

    /// <summary>The read model as served now; <see cref="Initial"/> until the projection has been loaded or built.</summary>
    public TState State => Volatile.Read(ref _served) is { } served ? served.Value! : Initial;

    /// <summary>The state after <paramref name="projected"/>.</summary>
    public abstract TState Apply(TState state, ProjectedEvent projected);

    internal void Serve(TState state) => Volatile.Write(ref _served, new StrongBox<TState>(state));

    internal override IProjectionStorage CreateStorage(ProjectionEnvironment environment) =>
        new StateProjectionStorage<TState>(this, Path.Combine(environment.StateDirectory, Name), environment.Serializer);
}
