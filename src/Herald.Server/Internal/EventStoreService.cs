using Herald.EventSourcing;
using Microsoft.Extensions.Hosting;

namespace Herald.Server.Internal;

/// <summary>Opens the configured event store with the host and closes it on the way down; absent when none is configured.</summary>
internal sealed class EventStoreService(HeraldServerOptions options) : IHostedService
{
    private IEventStore? _store;

    public bool IsConfigured => options.EventStore is not null;

    public IEventStore Store => Volatile.Read(ref _store)
        ?? (IsConfigured ? throw new NotReadyException("The event store is still opening.") : throw new Api.ApiException(404, "Not found", "This server shows no event store; start it with --event-store DIR or --event-store-postgres CONNECTION."));

    /// <summary>Where projection statuses are read: the PostgreSQL store's tables, or files beside the embedded store.</summary>
    public IProjectionControl Projections
    {
        get
        {
            var store = Store; // a 404 that says how to configure one, when there is none
            return options.EventStore!.PostgresConnectionString is not null
                ? IProjectionControl.For(store, string.Empty)
                : new FileProjectionControl(options.EventStore.ProjectionDirectory ?? Path.Combine(options.EventStore.Directory!, "projections"));
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.EventStore is not { } store)
        {
            return;
        }

        IEventStore opened = store.PostgresConnectionString is { } connection
            ? await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = connection, Schema = store.Schema }, cancellationToken).ConfigureAwait(false)
            : EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = store.Directory! });
        Volatile.Write(ref _store, opened);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _store, null) is IAsyncDisposable store)
        {
            await store.DisposeAsync().ConfigureAwait(false);
        }
    }
}
