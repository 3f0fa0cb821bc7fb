using System.Diagnostics;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing.Tests;

/// <summary>The child's read model, read back here: the same name and JSON shape.</summary>
public sealed record TickTotals(long Applied, long Sum);

public sealed class TickTotalsProjection : StateProjection<TickTotals>
{
    public override string Name => "tick_totals";

    public override TickTotals Initial => new(0, 0);

    public override TickTotals Apply(TickTotals totals, ProjectedEvent projected) =>
        new(totals.Applied + 1, totals.Sum + ((Tick)projected.Event).N);
}

/// <summary>
/// A child appends ticks while a state projection (saving every 20 ms) counts them, and is killed with SIGKILL at
/// random moments, round after round. The read model it left, caught up after each restart, must count every event
/// exactly once: its state and checkpoint are saved together, so none is applied twice or skipped.
/// </summary>
public sealed class ProjectionCrashTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-es-projcrash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_state_projection_killed_at_random_moments_counts_every_event_once()
    {
        var random = new Random(3);
        for (var round = 0; round < 5; round++)
        {
            await RunChildUntilKilledAsync(TimeSpan.FromMilliseconds(random.Next(200, 900)));

            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddHerald(h => h.AddEvent<Tick>())
                .AddEventStore(es => es.UseEmbedded(Path.Combine(_directory, "events")).AddProjection<TickTotalsProjection>());
            using var host = builder.Build();
            await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var store = host.Services.GetRequiredService<IEventStore>();
            var (count, sum) = (0L, 0L);
            await foreach (var e in store.ReadAllAsync())
            {
                count++;
                sum += System.Text.Json.JsonDocument.Parse(e.Data).RootElement.GetProperty("n").GetInt64();
            }

            await host.Services.GetRequiredService<ProjectionManager>().WaitForAsync("tick_totals", await store.GetEndPositionAsync()).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(new TickTotals(count, sum), host.Services.GetRequiredService<TickTotalsProjection>().State);
            Assert.True(count > 0, "the child appended nothing");
            await host.StopAsync();
        }
    }

    private async Task RunChildUntilKilledAsync(TimeSpan runFor)
    {
        var start = new ProcessStartInfo(Herald.Testing.DotnetHost.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Herald.EventSourcing.CrashChild.dll"));
        start.ArgumentList.Add("project");
        start.ArgumentList.Add(_directory);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the projection child");
        try
        {
            var errors = child.StandardError.ReadToEndAsync();
            var line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line != "RUNNING")
            {
                child.Kill();
                Assert.Fail($"the projection child said '{line}': {await errors}");
            }

            await Task.Delay(runFor);
            if (child.HasExited)
            {
                Assert.Fail($"the projection child exited on its own: {await errors}");
            }
        }
        finally
        {
            child.Kill(); // SIGKILL: whatever was being saved or applied is cut off
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
