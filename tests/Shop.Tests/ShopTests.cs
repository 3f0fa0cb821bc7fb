using System.Diagnostics;
using System.Text.Json;
using Herald.Broker;
using Herald.EventSourcing;
using Herald.Kafka;
using Herald.Server;
using Herald.Testing;
using Microsoft.Extensions.Logging;
using Shop.Common;
using Shop.Demo;

namespace Shop.Tests;

/// <summary>
/// The whole shop, run for a bounded time with a fixed seed and every fault injected, and its invariants checked at the
/// end; then the same with idempotency or the breaker turned off, which must break them. One class, so the runs take
/// turns on the machine.
/// </summary>
public sealed class ShopTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-shop-tests", Guid.NewGuid().ToString("N"));
    private HeraldServer? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_shop_keeps_every_invariant_with_every_fault_injected()
    {
        await StartServerAsync();
        await using var camera = await ConsoleCamera.OpenAsync(_server!.HttpAddress!);
        var report = await RunInProcessAsync(TimeSpan.FromSeconds(40), new Dictionary<string, string?>(), camera);

        Assert.True(report.Passed, Describe(report));
        var final = report.Final;
        var struck = final.FaultsStruck;

        // Each fault really struck, and was survived.
        Assert.True(struck.GetValueOrDefault(FaultLog.DuplicatePublished) > 0, "no payment was published twice");
        Assert.True(final.DuplicatesSkipped >= 2 * struck[FaultLog.DuplicatePublished], $"{final.DuplicatesSkipped} duplicates skipped for {struck[FaultLog.DuplicatePublished]} sent to Inventory and Email each");
        Assert.True(struck.GetValueOrDefault(FaultLog.PublishedLate) > 0, "no OrderPaid was published late");
        Assert.True(struck.GetValueOrDefault(FaultLog.SmtpFailed) > 0, "no email failed");
        Assert.True(struck.GetValueOrDefault(FaultLog.PoisonPublished) > 0, "no payment was malformed");
        Assert.True(final.Redriven >= struck[FaultLog.PoisonPublished], $"{final.Redriven} redriven for {struck[FaultLog.PoisonPublished]} malformed payments"); // a malformed one sent twice is dead-lettered twice
        Assert.True(final.BreakerOpenings >= 1, "the breaker never opened during the outage: " + Describe(report));
        Assert.Contains(final.Steps, s => s.What == "Analytics is killed with SIGKILL");
        Assert.Contains(final.Steps, s => s.What == "Analytics restarts");
        Assert.True(final.OrdersPlaced >= 350, $"only {final.OrdersPlaced} orders were placed");
        Assert.Empty(report.Skipped);

        var orderId = await AssertOneOrderIsOneTraceAndOneCorrelationAsync();
        await camera.ShootOrderAsync(orderId);
        await camera.DevelopAsync();
    }

    // From the HTTP request that placed it to its shipping, an order's events share its id as their correlation id and
    // one trace id, as herald serve's trace lookup shows them.
    private async Task<string> AssertOneOrderIsOneTraceAndOneCorrelationAsync()
    {
        var store = _server!.EventStore!;
        RecordedEvent? placed = null;
        await foreach (var stream in store.ListStreamsAsync("order-"))
        {
            var events = await store.ReadStreamAsync(stream).ToListAsync();
            if (events.Any(e => e.Type.StartsWith("order.shipped", StringComparison.Ordinal)))
            {
                placed = events[0];
                break;
            }
        }

        Assert.NotNull(placed);
        var orderId = placed.StreamId["order-".Length..];
        Assert.Equal(orderId, placed.CorrelationId);
        var traceId = ActivityContext.Parse(placed.TraceParent!, null).TraceId.ToString();
        using var http = new HttpClient { BaseAddress = _server.HttpAddress };
        const string Topics = "shop.orders,shop.payments,shop.inventory";
        var byCorrelation = await TraceAsync(http, $"api/v1/trace?correlationId={orderId}&topics={Topics}");
        Assert.Equal(
            ["OrderPaid.v1", "OrderPlaced.v1", "OrderShipped.v1", "PaymentProcessed.v1", "StockReserved.v1"],
            byCorrelation.Select(r => r.Type).Distinct().Order(StringComparer.Ordinal));
        Assert.All(byCorrelation, r => Assert.Equal(traceId, r.TraceId));
        var byTrace = await TraceAsync(http, $"api/v1/trace?traceId={traceId}&topics={Topics}");
        Assert.Equal(byCorrelation.Count, byTrace.Count);
        return orderId;
    }

    private static async Task<List<(string Type, string TraceId)>> TraceAsync(HttpClient http, string query)
    {
        using var response = await http.GetAsync(query).WaitAsync(TimeSpan.FromSeconds(30));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("cut").GetBoolean());
        return [.. json.RootElement.GetProperty("records").EnumerateArray().Select(r => (
            r.GetProperty("cloudEvent").GetProperty("type").GetString()!,
            ActivityContext.Parse(r.GetProperty("headers").EnumerateArray().Single(h => h.GetProperty("name").GetString() == "traceparent").GetProperty("value").GetString()!, null).TraceId.ToString()))];
    }

    [Fact]
    public async Task Without_idempotent_consumers_a_duplicate_payment_is_reserved_and_mailed_twice()
    {
        var report = await RunInProcessAsync(TimeSpan.FromSeconds(20), new Dictionary<string, string?>
        {
            ["Herald:Consumers:shop.payments/inventory:SkipProcessed"] = "false",
            ["Herald:Consumers:shop.payments/email:SkipProcessed"] = "false",
        });

        Assert.False(report.Passed);
        Assert.Equal(InvariantState.Violated, State(report, "reserved_once"));
        Assert.Equal(InvariantState.Violated, State(report, "emails_once"));
    }

    [Fact]
    public async Task Without_the_breaker_the_outage_burns_payments_into_the_dead_letter_topic()
    {
        var report = await RunInProcessAsync(TimeSpan.FromSeconds(40), new Dictionary<string, string?>
        {
            ["Herald:Consumers:shop.payments/inventory:CircuitBreaker:Enabled"] = "false",
        });

        Assert.False(report.Passed);
        Assert.Equal(InvariantState.Violated, State(report, "dead_letters_handled"));
        Assert.Equal(0, report.Final.BreakerOpenings);
    }

    [Fact]
    public async Task Every_service_in_its_own_process_against_herald_serve_keeps_every_invariant_through_a_SIGKILL()
    {
        await using var served = await ServedHerald.StartAsync("--http", "none");
        var options = new DemoOptions
        {
            Duration = TimeSpan.FromSeconds(40),
            Rate = 8,
            Seed = 11,
            Kafka = served.Bootstrap,
            DataDirectory = Path.Combine(_directory, "shop"),
            Processes = ShopProcesses.All,
        };

        var report = await RunAsync(options);

        Assert.True(report.Passed, Describe(report));
        Assert.Contains(report.Final.Steps, s => s.What == "Analytics is killed with SIGKILL");
        Assert.True(report.Final.BreakerOpenings >= 1, "the breaker never opened during the outage: " + Describe(report));
        Assert.True(report.Final.FaultsStruck.GetValueOrDefault(FaultLog.DuplicatePublished) > 0, "no payment was published twice");
    }

    private async Task<DemoReport> RunInProcessAsync(TimeSpan duration, Dictionary<string, string?> configuration, IProgress<DemoSnapshot>? progress = null)
    {
        await StartServerAsync();
        return await RunAsync(
            new DemoOptions
            {
                Duration = duration,
                Rate = 10,
                Seed = 7,
                Broker = _server!.Broker,
                Kafka = _server.Kafka.BootstrapServers,
                EventStore = (_server.EventStore!, Path.Combine(_directory, "events", "projections")),
                DataDirectory = Path.Combine(_directory, "shop"),
                Processes = ShopProcesses.Analytics,
                Configuration = configuration,
            },
            progress);
    }

    private async Task StartServerAsync()
    {
        _server ??= await Task.Run(() => HeraldServer.StartAsync(
            new HeraldServerOptions
            {
                Broker = new BrokerOptions { DataDirectory = Path.Combine(_directory, "broker") },
                Kafka = KafkaServerOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) },
                Http = HttpOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) },
                EventStore = new EventStoreOptions { Directory = Path.Combine(_directory, "events") },
            },
            logging => logging.ClearProviders()));
    }

    // Off xunit's synchronization context, which lets two continuations run at a time: services run on the thread pool.
    private static Task<DemoReport> RunAsync(DemoOptions options, IProgress<DemoSnapshot>? progress = null) => Task.Run(async () =>
    {
        using var timeout = new CancellationTokenSource(options.Duration + options.DrainTimeout + TimeSpan.FromMinutes(2));
        await using var demo = await ShopDemo.StartAsync(options, timeout.Token);
        return await demo.RunAsync(progress, timeout.Token).WaitAsync(timeout.Token);
    });

    private static InvariantState State(DemoReport report, string name) => report.Final.Invariants.Single(i => i.Name == name).State;

    private static string Describe(DemoReport report) =>
        string.Join(Environment.NewLine, report.Final.Invariants.Select(i => $"{i.State} {i.Name}: {i.Detail}")
            .Append($"{report.Final.Retries} retries, {report.Final.DeadLettered} dead-lettered, {report.Final.Redriven} redriven, faults struck: {string.Join(", ", report.Final.FaultsStruck.Select(f => $"{f.Key} {f.Value}"))}")
            .Concat(report.Final.Steps.Select(s => $"{s.At:mm\\:ss} {s.What}")));
}
