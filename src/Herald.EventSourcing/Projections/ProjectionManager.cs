using Herald.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.EventSourcing;

/// <summary>
/// The application's projections: their status and lag, rebuilds on request, and waiting until a read model has
/// caught up with an append (read-your-writes). Registered by <c>AddProjection&lt;T&gt;()</c>; the projections run in a
/// hosted service while the host runs. Thread-safe.
/// </summary>
public sealed class ProjectionManager
{
    private readonly Dictionary<string, ProjectionRunner> _runners = new(StringComparer.Ordinal);

    internal ProjectionManager(IEnumerable<Projection> projections, IEventStore store, EventCodec codec, EventSerializer serializer, string stateDirectory, ILoggerFactory? loggers, TimeProvider? time)
    {
        var environment = new ProjectionEnvironment(serializer, stateDirectory, store as PostgresEventStore);
        var logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("Herald.EventSourcing.Projections");
        var control = IProjectionControl.For(store, stateDirectory);
        foreach (var projection in projections)
        {
            Projection.CheckName(projection.Name);
            if (projection.Version < 1)
            {
                throw new ArgumentException($"Projection '{projection.Name}' has version {projection.Version}; versions start at 1.");
            }

            if (!_runners.TryAdd(projection.Name, new ProjectionRunner(projection, projection.CreateStorage(environment), control, store, codec, logger, time ?? TimeProvider.System)))
            {
                throw new ArgumentException($"Two projections are named '{projection.Name}'.");
            }
        }
    }

    /// <summary>Every projection's status.</summary>
    public IReadOnlyList<ProjectionStatus> All => [.. _runners.Values.Select(r => r.Status)];

    /// <summary>The status of the projection named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No projection has that name.</exception>
    public ProjectionStatus GetStatus(string name) => Runner(name).Status;

    /// <summary>
    /// Asks for the projection to be built again from position 0, beside the generation served now, which keeps being
    /// served until the new one has caught up. Works across processes: the runner that owns it picks it up within a second.
    /// </summary>
    public Task RequestRebuildAsync(string name, CancellationToken cancellationToken = default) => Runner(name).RequestRebuildAsync(cancellationToken);

    /// <summary>
    /// Completes once the read model served has projected every event before <paramref name="position"/>: pass an
    /// append's <see cref="AppendResult.Position"/> + 1 to read what it wrote.
    /// </summary>
    public Task WaitForAsync(string name, long position, CancellationToken cancellationToken = default) => Runner(name).WaitForAsync(position, cancellationToken);

    internal IEnumerable<ProjectionRunner> Runners => _runners.Values;

    private ProjectionRunner Runner(string name) =>
        _runners.TryGetValue(name, out var runner) ? runner : throw new KeyNotFoundException($"No projection is named '{name}'; there are: {string.Join(", ", _runners.Keys)}.");
}
