using System.Collections.Concurrent;
using System.Globalization;
using Herald.Broker;
using Herald.Client.CrashChild;
using Herald.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Client.Tests;

/// <summary>
/// A hosted consumer in a child process killed with SIGKILL mid-stream, then started again on the same data: nothing
/// is lost, and the durable processed-id store keeps what was handled from being handled again, although no offset
/// was committed before the kill.
/// </summary>
public sealed class ConsumerCrashTests : IDisposable
{
    private const int Events = 3_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-consumer-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task After_a_SIGKILL_mid_processing_every_event_is_handled_and_handled_events_are_not_handled_again()
    {
        await PublishAsync();

        var first = await RunChildAsync(stopWhen: handled => handled.Count >= Events / 4);
        var second = await RunChildAsync(stopWhen: handled => first.Concat(handled).Distinct().Count() == Events);

        Assert.Equal(Enumerable.Range(0, Events), first.Concat(second).Distinct().Order()); // nothing lost
        var again = first.Intersect(second).Count();
        // Without the store all of the first run (no commit) would run again; with it, only ids not yet written when the
        // process died: those in flight and the last write of ids.
        Assert.True(again <= 64, $"{again} of the {first.Count} events handled before the kill were handled again");
        foreach (var run in new[] { first, second })
        {
            Assert.All(run.GroupBy(s => s % 10), key => Assert.Equal(key.Order(), key)); // each key in order, within a run
        }
    }

    private async Task PublishAsync()
    {
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHerald(herald => herald.UseEmbedded(broker).MapTopic<Numbered>(Numbered.Topic));
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IEventPublisher>().PublishBatchAsync(Enumerable.Range(0, Events).Select(i => new Numbered($"key-{i % 10}", i)));
    }

    /// <summary>Runs the child until <paramref name="stopWhen"/> holds for what it has handled, then kills it with SIGKILL.</summary>
    private async Task<List<int>> RunChildAsync(Func<List<int>, bool> stopWhen)
    {
        using var child = ChildProcess.Start(DotnetHost.Path, [Path.Combine(AppContext.BaseDirectory, "Herald.Client.CrashChild.dll"), _directory]);
        var errors = child.StandardError.ReadToEndAsync();
        var handled = new ConcurrentQueue<int>();
        var reading = Task.Run(async () =>
        {
            while (await child.StandardOutput.ReadLineAsync() is { } line)
            {
                handled.Enqueue(int.Parse(line.AsSpan(2), CultureInfo.InvariantCulture));
            }
        });

        var deadline = DateTime.UtcNow + Timeout;
        while (!stopWhen([.. handled]))
        {
            Assert.False(child.HasExited, $"the crash child exited on its own with code {(child.HasExited ? child.ExitCode : 0)}: {(child.HasExited ? await errors : string.Empty)}");
            Assert.True(DateTime.UtcNow < deadline, $"the child handled only {handled.Count} events in time");
            await Task.Delay(5);
        }

        child.Kill();
        await child.WaitForExitAsync().WaitAsync(Timeout);
        await reading.WaitAsync(Timeout);
        return [.. handled];
    }
}
