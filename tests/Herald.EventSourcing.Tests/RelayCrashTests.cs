using System.Diagnostics;
using System.Globalization;
using System.Text;
using Herald.Broker;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing.Tests;

[EventType("Tick")]
public sealed record Tick(int N);

public sealed class TickHandler(Handled handled) : IEventHandler<Tick>
{
    public Task HandleAsync(Tick @event, EventContext context, CancellationToken cancellationToken)
    {
        handled.Events.Enqueue((@event, context.Metadata));
        return Task.CompletedTask;
    }
}

/// <summary>
/// The relay is killed with SIGKILL after publishing a batch and before saving its checkpoint, round after round; the
/// next run publishes that batch again. Every event must reach the topic, and a consumer must handle each once.
/// </summary>
public sealed class RelayCrashTests : IDisposable
{
    private const int Events = 40;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-es-relaycrash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_relay_killed_between_publishing_and_checkpointing_loses_nothing_and_consumers_handle_each_event_once()
    {
        var ids = new List<Guid>();
        await using (var store = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = Path.Combine(_directory, "events") }))
        {
            for (var i = 0; i < Events; i++)
            {
                var tick = new EventData(Guid.CreateVersion7(), "Tick.v1", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
                ids.Add(tick.EventId);
                await store.AppendAsync($"tick-{i % 5}", ExpectedVersion.Any, [tick]);
            }
        }

        var checkpoints = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            checkpoints.Add(await RunRelayUntilKilledAsync());
        }

        Assert.True(checkpoints[0] < checkpoints[1] && checkpoints[1] < checkpoints[2], $"each run saved one batch more: {string.Join(", ", checkpoints)}");

        // The application's relay finishes the job; its consumer group reads the topic from the start.
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = Path.Combine(_directory, "broker") });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Handled>();
        builder.Services.AddHerald(h => h.UseEmbedded(broker).AddEvent<Tick>())
            .AddConsumer<TickHandler>("ticks", group: "ticks-once")
            .AddEventStore(es => es.UseEmbedded(Path.Combine(_directory, "events")).AddRelay("ticks", relay => relay.Topic = "ticks"));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var handled = host.Services.GetRequiredService<Handled>();
        await handled.WaitForCountAsync(Events);
        await Task.Delay(500); // a duplicate handled late would show up here
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(ids.Order(), handled.Events.Select(e => e.Metadata.Id).Order());
        var partitions = broker.DescribeTopic("ticks")!.Partitions;
        var stored = Enumerable.Range(0, partitions).Sum(p => broker.ListOffset("ticks", p, OffsetQuery.Latest).Offset);
        Assert.True(stored >= Events + (3 * 7), $"the three killed runs each published a batch that was published again; the topic holds {stored} records");
    }

    private async Task<long> RunRelayUntilKilledAsync()
    {
        var start = new ProcessStartInfo(Herald.Testing.DotnetHost.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Herald.EventSourcing.CrashChild.dll"));
        start.ArgumentList.Add("relay");
        start.ArgumentList.Add(_directory);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the relay child");
        var errors = child.StandardError.ReadToEndAsync();
        var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("PUBLISHED ", StringComparison.Ordinal))
        {
            child.Kill();
            Assert.Fail($"the relay child said '{line}': {await errors}");
        }

        child.Kill(); // SIGKILL: the checkpoint of the batch just published is never saved
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return long.Parse(line["PUBLISHED ".Length..], CultureInfo.InvariantCulture);
    }
}
