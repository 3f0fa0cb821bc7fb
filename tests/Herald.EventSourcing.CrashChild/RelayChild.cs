using Herald.Client;
using Herald.EventSourcing;
using Microsoft.Extensions.DependencyInjection;

[EventType("Tick")]
public sealed record Tick(int N);

internal static class RelayChild
{
    public static async Task RunAsync(string directory)
    {
        var services = new ServiceCollection();
        services.AddHerald(h => h.UseEmbedded(Path.Combine(directory, "broker")).AddEvent<Tick>())
            .AddEventStore(es => es.UseEmbedded(Path.Combine(directory, "events")));
        await using var provider = services.BuildServiceProvider();
        var batches = 0;
        var relay = RelayHostedService.Create(
            provider,
            "ticks",
            new RelayOptions { Topic = "ticks", BatchSize = 7 },
            Path.Combine(directory, "events", "projections", "relays"),
            afterPublish: async (checkpoint, cancellationToken) =>
            {
                if (++batches == 2)
                {
                    Console.WriteLine($"PUBLISHED {checkpoint}");
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
            });
        await relay.RunAsync(CancellationToken.None);
    }
}
