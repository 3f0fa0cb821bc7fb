using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.EventSourcing;

/// <summary>One relay as registered by <c>AddRelay</c>.</summary>
internal sealed record RelayRegistration(string Name, RelayOptions Options);

/// <summary>Runs every relay while the host runs; their settings are checked when it starts.</summary>
internal sealed class RelayHostedService : BackgroundService
{
    private readonly List<RelayRunner> _runners = [];

    public RelayHostedService(IEnumerable<RelayRegistration> relays, IServiceProvider services, RelayDirectory directory)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, options) in relays)
        {
            if (!names.Add(name))
            {
                throw new ArgumentException($"Two relays are named '{name}'.");
            }

            _runners.Add(Create(services, name, options, directory.Path));
        }
    }

    /// <summary>A relay on the services' store and publisher; its checkpoint in the PostgreSQL store, or in <paramref name="directory"/>.</summary>
    internal static RelayRunner Create(IServiceProvider services, string name, RelayOptions options, string directory, Func<long, CancellationToken, Task>? afterPublish = null)
    {
        options.Validate(name);
        var store = services.GetRequiredService<IEventStore>();
        var publisher = services.GetRequiredService<IEventPublisher>() as EventPublisher
            ?? throw new InvalidOperationException("A relay publishes through Herald's own IEventPublisher; it was replaced.");
        IRelayCheckpoint checkpoint = store is PostgresEventStore postgres ? new PostgresRelayCheckpoint(postgres, name) : new FileRelayCheckpoint(directory, name);
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Herald.EventSourcing.Relay") ?? NullLogger.Instance;
        return new RelayRunner(name, options, store, services.GetRequiredService<EventCodec>(), publisher, checkpoint, logger, services.GetService<TimeProvider>() ?? TimeProvider.System, afterPublish);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        EventStoreTelemetry.Track(_runners);
        try
        {
            await Task.WhenAll(_runners.Select(r => Task.Run(() => r.RunAsync(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            EventStoreTelemetry.Untrack(_runners);
        }
    }
}

/// <summary>Where relays on the embedded store keep their checkpoints.</summary>
internal sealed record RelayDirectory(string Path);
