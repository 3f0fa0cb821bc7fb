using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing;

/// <summary>Opens the event store when the host starts, so a wrong setting or a damaged store stops the start, not a first request.</summary>
internal sealed class EventStoreStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<IEventStore>() ?? throw new InvalidOperationException("AddEventStore needs a store: call UseEmbedded(...) or UsePostgres(...) in it.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
