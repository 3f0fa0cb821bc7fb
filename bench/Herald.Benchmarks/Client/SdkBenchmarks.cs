using BenchmarkDotNet.Attributes;
using Herald.Broker;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Benchmarks.Client;

/// <summary>
/// Herald.Client end to end on the embedded broker with real files: a batch of events published (acks=all, so each
/// batch waits for its group-committed fsyncs) and handled by a hosted consumer, with the envelope, JSON, per-key
/// lanes, idempotency records and commits all in the loop; or only published, to a topic nobody reads. Per event.
/// </summary>
[MemoryDiagnoser]
public class SdkBenchmarks
{
    private const int Events = 2_000;
    private IHost _host = null!;
    private HeraldBroker _broker = null!;
    private IEventPublisher _publisher = null!;
    private Counter _counter = null!;
    private string _directory = "";
    private OrderPlaced[] _batch = [];
    private int _round;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _directory = Storage.StorageBenchmarkData.NewDirectory("sdk");
        _broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory });
        _counter = new Counter();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(_counter);
        builder.Services.AddHerald(h => h.UseEmbedded(_broker).MapTopic<OrderPlaced>("orders").AddConsumer<CountingHandler>("orders", "bench", c => c.MaxConcurrency = 64));
        _host = builder.Build();
        await _host.StartAsync();
        _publisher = _host.Services.GetRequiredService<IEventPublisher>();
        await RoundTripAsync(); // joins the group and warms up
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public Task PublishAndHandle() => RoundTripAsync();

    // To a topic no consumer reads, so publishing is measured alone.
    [Benchmark(OperationsPerInvoke = Events)]
    public Task Publish() => _publisher.PublishBatchAsync(Batch(), new PublishOptions { Topic = "unread" });

    private async Task RoundTripAsync()
    {
        var target = _counter.Handled + Events;
        await _publisher.PublishBatchAsync(Batch());
        await _counter.WaitForAsync(target);
    }

    private OrderPlaced[] Batch()
    {
        var round = ++_round;
        _batch = [.. Enumerable.Range(0, Events).Select(i => new OrderPlaced($"customer-{i % 100}", (round * Events) + i, 10m))];
        return _batch;
    }

    [EventType("OrderPlaced")]
    public sealed record OrderPlaced([property: EventKey] string CustomerId, long Sequence, decimal Total);

    public sealed class Counter
    {
        private long _handled;

        public long Handled => Interlocked.Read(ref _handled);

        public void Add() => Interlocked.Increment(ref _handled);

        public async Task WaitForAsync(long target)
        {
            while (Handled < target)
            {
                await Task.Delay(1);
            }
        }
    }

    public sealed class CountingHandler(Counter counter) : IEventHandler<OrderPlaced>
    {
        public Task HandleAsync(OrderPlaced @event, EventContext context, CancellationToken cancellationToken)
        {
            counter.Add();
            return Task.CompletedTask;
        }
    }
}
