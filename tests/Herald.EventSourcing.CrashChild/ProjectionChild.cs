using Herald.Client;
using Herald.EventSourcing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

/// <summary>How many ticks were applied, and the sum of their numbers: an event applied twice or skipped shows in both.</summary>
public sealed record TickTotals(long Applied, long Sum);

/// <summary>Counts ticks, saving every 20 ms, so that kills land between saves and during them.</summary>
public sealed class TickTotalsProjection : StateProjection<TickTotals>
{
    public override string Name => "tick_totals";

    public override TickTotals Initial => new(0, 0);

    public override TimeSpan SaveInterval => TimeSpan.FromMilliseconds(20);

    public override TickTotals Apply(TickTotals totals, ProjectedEvent projected) =>
        new(totals.Applied + 1, totals.Sum + ((Tick)projected.Event).N);
}

internal static class ProjectionChild
{
    // Four writers append ticks while the projection follows them, until SIGKILL. Prints "RUNNING" once both run.
    public static async Task RunAsync(string directory)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHerald(h => h.AddEvent<Tick>())
            .AddEventStore(es => es.UseEmbedded(Path.Combine(directory, "events")).AddProjection<TickTotalsProjection>());
        using var host = builder.Build();
        await host.StartAsync();
        var store = host.Services.GetRequiredService<IEventStore>();
        Console.WriteLine("RUNNING");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var n = 1; ; n++)
            {
                await store.AppendAsync($"ticks-{writer}", ExpectedVersion.Any, [new EventData(Guid.CreateVersion7(), "Tick.v1", System.Text.Encoding.UTF8.GetBytes($"{{\"n\":{n}}}"))]);
            }
        })));
    }
}
