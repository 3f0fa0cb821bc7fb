using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing;

/// <summary>Runs every projection while the host runs, each on its own task.</summary>
internal sealed class ProjectionHostedService(ProjectionManager projections) : BackgroundService
{
    // The stored read models are served before the host has started, so a restarted application answers from them at once.
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(projections.Runners.Select(r => r.Loaded)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        EventStoreTelemetry.Track(projections);
        try
        {
            await Task.WhenAll(projections.Runners.Select(r => Task.Run(() => r.RunAsync(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
        }
        finally
        {
            EventStoreTelemetry.Untrack(projections);
        }
    }
}
