using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Herald.EventSourcing;

/// <summary>Chooses the event store and registers the aggregates that use it; see <see cref="HeraldEventStoreExtensions.AddEventStore"/>.</summary>
public sealed class EventStoreBuilder
{
    private string _projectionDirectory = Path.Combine("data", "projections");
    private bool _projectionsAdded;
    private bool _relaysAdded;

    internal EventStoreBuilder(HeraldBuilder herald) => Herald = herald;

    /// <summary>The Herald registration this belongs to: register event types there with <c>AddEvent&lt;T&gt;()</c>.</summary>
    public HeraldBuilder Herald { get; }

    /// <summary>The embedded store, in <paramref name="directory"/> (one process; nothing else to run).</summary>
    public EventStoreBuilder UseEmbedded(string directory) => UseEmbedded(new EmbeddedEventStoreOptions { Directory = directory });

    /// <summary>The embedded store with <paramref name="options"/>, checked when the host starts.</summary>
    public EventStoreBuilder UseEmbedded(EmbeddedEventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Herald.Services.RemoveAll<IEventStore>();
        Herald.Services.AddSingleton<IEventStore>(services => EmbeddedEventStore.Open(options, services.GetService<TimeProvider>()));
        _projectionDirectory = Path.Combine(options.Directory, "projections");
        return this;
    }

    /// <summary>
    /// A store opened elsewhere (one a <c>herald serve</c> host in this process shows, say), which this application uses
    /// and does not close. State projections and relays keep their files in <paramref name="projectionDirectory"/>.
    /// </summary>
    public EventStoreBuilder UseStore(IEventStore store, string projectionDirectory)
    {
        ArgumentNullException.ThrowIfNull(store);
        Herald.Services.RemoveAll<IEventStore>();
        Herald.Services.AddSingleton(store); // an instance given to DI is not disposed by it
        return UseProjectionDirectory(projectionDirectory);
    }

    /// <summary>The PostgreSQL store at <paramref name="connectionString"/>, its tables in schema <c>herald</c>.</summary>
    public EventStoreBuilder UsePostgres(string connectionString) => UsePostgres(new PostgresEventStoreOptions { ConnectionString = connectionString });

    /// <summary>The PostgreSQL store with <paramref name="options"/>; its schema is created or migrated when the host starts.</summary>
    public EventStoreBuilder UsePostgres(PostgresEventStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Herald.Services.RemoveAll<IEventStore>();

        // DI factories are synchronous; EventStoreStartup resolves this once, while the host starts.
        Herald.Services.AddSingleton<IEventStore>(services =>
        {
            var store = PostgresEventStore.OpenAsync(options).GetAwaiter().GetResult();
            var inline = services.GetServices<Projection>().OfType<PostgresProjection>().Where(p => p.Inline).ToList();
            if (inline.Count > 0)
            {
                store.Inline = new InlineProjections(inline, services.GetRequiredService<EventCodec>());
            }

            return store;
        });
        return this;
    }

    /// <summary>
    /// Registers a <see cref="CommandHandler{TState, TCommand}"/> for the aggregate <paramref name="decider"/> describes.
    /// Its event types must be registered with <c>AddEvent&lt;T&gt;()</c>, so that stored events can be read back.
    /// </summary>
    public EventStoreBuilder AddDecider<TState, TCommand>(Decider<TState, TCommand> decider, Action<CommandHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(decider);
        var options = new CommandHandlerOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxConflictRetries, nameof(CommandHandlerOptions.MaxConflictRetries));
        ArgumentOutOfRangeException.ThrowIfNegative(options.SnapshotEvery, nameof(CommandHandlerOptions.SnapshotEvery));
        Herald.Services.AddSingleton(services => new CommandHandler<TState, TCommand>(
            services.GetRequiredService<IEventStore>(),
            services.GetRequiredService<EventCodec>(),
            decider,
            options,
            services.GetService<ILoggerFactory>()?.CreateLogger<CommandHandler<TState, TCommand>>()));
        return this;
    }

    /// <summary>
    /// Registers the projection <typeparamref name="TProjection"/> as a singleton (inject it to read a
    /// <see cref="StateProjection{TState}"/>'s state) and runs it in a hosted service. See <see cref="ProjectionManager"/>.
    /// </summary>
    public EventStoreBuilder AddProjection<TProjection>()
        where TProjection : Projection
    {
        Herald.Services.TryAddSingleton<TProjection>();
        Herald.Services.AddSingleton<Projection>(services => services.GetRequiredService<TProjection>());
        return AddProjectionRunner();
    }

    /// <summary>Registers <paramref name="projection"/> and runs it in a hosted service.</summary>
    public EventStoreBuilder AddProjection(Projection projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        Herald.Services.AddSingleton(projection.GetType(), projection);
        Herald.Services.AddSingleton(projection);
        return AddProjectionRunner();
    }

    /// <summary>
    /// Relays the store's events to topics through the SDK's publisher (to the embedded broker, <c>herald serve</c> or
    /// any Kafka cluster, whichever <c>AddHerald</c> uses), from a checkpoint it keeps: on PostgreSQL in the store, on
    /// the embedded store in the projection directory. Events keep their ids, so a consumer drops one relayed twice.
    /// </summary>
    /// <param name="name">Names its checkpoint: lower-case letters, digits and underscores.</param>
    /// <param name="configure">Which events, which topic, and integration events per type.</param>
    public EventStoreBuilder AddRelay(string name, Action<RelayOptions>? configure = null)
    {
        var options = new RelayOptions();
        configure?.Invoke(options);
        Herald.Services.AddSingleton(new RelayRegistration(name, options));
        if (!_relaysAdded)
        {
            _relaysAdded = true;
            Herald.Services.AddSingleton(_ => new RelayDirectory(Path.Combine(_projectionDirectory, "relays")));
            Herald.Services.AddHostedService<RelayHostedService>();
        }

        return this;
    }

    /// <summary>
    /// Where state projections save their state and checkpoints, and relays on the embedded store theirs. Defaults to <c>projections</c> in the embedded store's
    /// directory, or <c>data/projections</c> with the PostgreSQL store.
    /// </summary>
    public EventStoreBuilder UseProjectionDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _projectionDirectory = directory;
        return this;
    }

    private EventStoreBuilder AddProjectionRunner()
    {
        if (!_projectionsAdded)
        {
            _projectionsAdded = true;
            Herald.Services.AddSingleton(services => new ProjectionManager(
                services.GetServices<Projection>(),
                services.GetRequiredService<IEventStore>(),
                services.GetRequiredService<EventCodec>(),
                services.GetRequiredService<EventSerializer>(),
                _projectionDirectory,
                services.GetService<ILoggerFactory>(),
                services.GetService<TimeProvider>()));
            Herald.Services.AddHostedService<ProjectionHostedService>();
        }

        return this;
    }

    internal void Register()
    {
        Herald.Services.TryAddSingleton(services => new EventCodec(services.GetRequiredService<EventTypeRegistry>(), services.GetRequiredService<EventSerializer>()));
        Herald.Services.AddHostedService<EventStoreStartup>();
    }
}
