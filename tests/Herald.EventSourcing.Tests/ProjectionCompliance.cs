using System.Collections.Immutable;
using System.Text;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing.Tests;

/// <summary>Orders and revenue per customer, and how many events were applied (an event applied twice shows there).</summary>
public sealed record CustomerTotals(ImmutableDictionary<string, decimal> Revenue, int Applied)
{
    public static readonly CustomerTotals Empty = new(ImmutableDictionary<string, decimal>.Empty, 0);
}

[EventType("CustomerOrdered")]
public sealed record CustomerOrdered(string Customer, decimal Total);

/// <summary>A state projection whose version, and a gate that holds its Apply, the tests choose.</summary>
public sealed class RevenueProjection(int version = 1, decimal factor = 1) : StateProjection<CustomerTotals>
{
    public SemaphoreSlim? Gate { get; set; }

    public int FailuresLeft { get; set; }

    public override string Name => "revenue";

    public override int Version => version;

    public override CustomerTotals Initial => CustomerTotals.Empty;

    public override TimeSpan SaveInterval => TimeSpan.Zero;

    public override CustomerTotals Apply(CustomerTotals state, ProjectedEvent projected)
    {
        Gate?.Wait(TimeSpan.FromSeconds(30));
        Gate?.Release();
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new InvalidOperationException("the read model's disk is full");
        }

        var ordered = (CustomerOrdered)projected.Event;
        return new CustomerTotals(state.Revenue.SetItem(ordered.Customer, state.Revenue.GetValueOrDefault(ordered.Customer) + (ordered.Total * factor)), state.Applied + 1);
    }
}

/// <summary>What projections must do on every store: catch up, follow, resume, rebuild beside the served one.</summary>
public abstract class ProjectionCompliance : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<IHost> _hosts = [];

    protected string Directory { get; } = Path.Combine(Path.GetTempPath(), "herald-es-proj-" + Guid.NewGuid().ToString("N"));

    /// <summary>Where state projections keep their files.</summary>
    protected abstract string ProjectionDirectory { get; }

    /// <summary>Chooses the store under test, on the same data for every host of one test.</summary>
    protected abstract Task ConfigureStoreAsync(EventStoreBuilder store);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
        {
            await StopAsync(host);
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    protected async Task<IHost> StartAsync(Action<EventStoreBuilder> projections)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        EventStoreBuilder? store = null;
        builder.Services.AddHerald(h => h.UseEmbedded(Path.Combine(Directory, "broker")).AddEvent<CustomerOrdered>())
            .AddEventStore(es => store = es);
        await ConfigureStoreAsync(store!);
        projections(store!);
        builder.Services.AddHealthChecks().AddHeraldProjections(maxLagEvents: 0);
        var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        _hosts.Add(host);
        return host;
    }

    protected async Task StopAsync(IHost host)
    {
        if (_hosts.Remove(host))
        {
            await host.StopAsync().WaitAsync(Timeout);
            if (host is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync();
            }
        }
    }

    protected static async Task<AppendResult> OrderAsync(IHost host, string customer, decimal total, string stream = "order-")
    {
        var body = Encoding.UTF8.GetBytes($"{{\"customer\":\"{customer}\",\"total\":{total}}}");
        return await host.Services.GetRequiredService<IEventStore>().AppendAsync(stream + Guid.NewGuid().ToString("N"), ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "CustomerOrdered.v1", body)]);
    }

    protected static async Task<ProjectionStatus> WaitForStatusAsync(IHost host, string name, Func<ProjectionStatus, bool> until)
    {
        var projections = host.Services.GetRequiredService<ProjectionManager>();
        using var timeout = new CancellationTokenSource(Timeout);
        while (!until(projections.GetStatus(name)))
        {
            await Task.Delay(20, timeout.Token);
        }

        return projections.GetStatus(name);
    }

    protected static Task CaughtUpAsync(IHost host, AppendResult last, string name = "revenue") =>
        host.Services.GetRequiredService<ProjectionManager>().WaitForAsync(name, last.Position + 1).WaitAsync(Timeout);

    [Fact]
    public async Task A_projection_catches_up_on_history_in_batches_then_follows_live_appends()
    {
        var writer = await StartAsync(_ => { });
        AppendResult last = default!;
        for (var i = 0; i < 1_203; i++)
        {
            last = await OrderAsync(writer, $"c{i % 3}", 1);
        }

        await StopAsync(writer);
        var host = await StartAsync(es => es.AddProjection<RevenueProjection>());
        var revenue = host.Services.GetRequiredService<RevenueProjection>();

        await CaughtUpAsync(host, last);
        Assert.Equal(1_203, revenue.State.Applied);
        Assert.Equal(401m, revenue.State.Revenue["c0"]);

        var live = await OrderAsync(host, "c9", 5);
        await CaughtUpAsync(host, live);
        Assert.Equal(1_204, revenue.State.Applied);
        Assert.Equal(5m, revenue.State.Revenue["c9"]);
        var status = await WaitForStatusAsync(host, "revenue", s => s.Checkpoint > live.Position && s.LagEvents == 0);
        Assert.Equal(ProjectionPhase.Live, status.Phase);
        Assert.Equal(1, status.Generation);
        Assert.Equal(0, status.LagSeconds);
    }

    [Fact]
    public async Task After_a_restart_it_goes_on_from_its_checkpoint_and_applies_each_event_once()
    {
        var host = await StartAsync(es => es.AddProjection<RevenueProjection>());
        for (var i = 0; i < 10; i++)
        {
            await OrderAsync(host, "c1", 1);
        }

        await CaughtUpAsync(host, await OrderAsync(host, "c1", 1));
        await StopAsync(host);

        var again = await StartAsync(es => es.AddProjection<RevenueProjection>());
        var revenue = again.Services.GetRequiredService<RevenueProjection>();
        Assert.Equal(11, revenue.State.Applied); // served from what was saved, before anything new is read
        await CaughtUpAsync(again, await OrderAsync(again, "c1", 1));

        Assert.Equal(12, revenue.State.Applied);
        Assert.Equal(12m, revenue.State.Revenue["c1"]);
    }

    [Fact]
    public async Task A_new_version_builds_beside_the_served_one_which_keeps_serving_until_it_takes_over()
    {
        var v1 = await StartAsync(es => es.AddProjection<RevenueProjection>());
        AppendResult last = default!;
        for (var i = 0; i < 20; i++)
        {
            last = await OrderAsync(v1, "c1", 1);
        }

        await CaughtUpAsync(v1, last);
        await StopAsync(v1);

        using var gate = new SemaphoreSlim(0);
        var building = new RevenueProjection(version: 2, factor: 10) { Gate = gate };
        var v2 = await StartAsync(es => es.AddProjection(building));

        var rebuilding = await WaitForStatusAsync(v2, "revenue", s => s.Phase == ProjectionPhase.Rebuilding);
        Assert.Equal(1, rebuilding.Generation);
        Assert.Equal(2, rebuilding.RebuildGeneration);
        Assert.Equal(20m, building.State.Revenue["c1"]); // version 1's read model, still served

        // Version 1's code is gone, so its read model stands still meanwhile, and shows as lagging.
        var during = await OrderAsync(v2, "c1", 1);
        await WaitForStatusAsync(v2, "revenue", s => s.LagEvents == 1);
        Assert.Equal(20m, building.State.Revenue["c1"]);
        Assert.Equal(HealthStatus.Degraded, await HealthAsync(v2));

        gate.Release();
        await WaitForStatusAsync(v2, "revenue", s => s.Phase == ProjectionPhase.Live && s.Generation == 2);
        await CaughtUpAsync(v2, during);
        Assert.Equal(210m, building.State.Revenue["c1"]);
        Assert.Equal(21, building.State.Applied);
        await CaughtUpAsync(v2, await OrderAsync(v2, "c1", 1));
        Assert.Equal(220m, building.State.Revenue["c1"]);
        Assert.False(File.Exists(Path.Combine(ProjectionDirectory, "revenue", "g1.state")));
        Assert.True(File.Exists(Path.Combine(ProjectionDirectory, "revenue", "g2.state")));
    }

    [Fact]
    public async Task A_rebuild_request_builds_the_read_model_again_from_position_0()
    {
        var host = await StartAsync(es => es.AddProjection<RevenueProjection>());
        var projections = host.Services.GetRequiredService<ProjectionManager>();
        var revenue = host.Services.GetRequiredService<RevenueProjection>();
        for (var i = 0; i < 5; i++)
        {
            await OrderAsync(host, "c1", 2);
        }

        await CaughtUpAsync(host, await OrderAsync(host, "c1", 2));

        await projections.RequestRebuildAsync("revenue");
        var rebuilt = await WaitForStatusAsync(host, "revenue", s => s.Generation == 2 && s.Phase == ProjectionPhase.Live);

        Assert.Equal(6, revenue.State.Applied);
        Assert.Equal(12m, revenue.State.Revenue["c1"]);
        Assert.Equal(1, rebuilt.Version);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => projections.RequestRebuildAsync("no_such"));
    }

    [Fact]
    public async Task A_failing_projection_is_faulted_and_unhealthy_then_resumes_without_losing_an_event()
    {
        var failing = new RevenueProjection { FailuresLeft = 1 };
        var host = await StartAsync(es => es.AddProjection(failing));
        var first = await OrderAsync(host, "c1", 1);

        var faulted = await WaitForStatusAsync(host, "revenue", s => s.Phase == ProjectionPhase.Faulted);
        Assert.Contains("disk is full", faulted.Error, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, await HealthAsync(host));

        await CaughtUpAsync(host, first);
        await CaughtUpAsync(host, await OrderAsync(host, "c1", 1));
        Assert.Equal(2, failing.State.Applied);
    }

    [Fact]
    public async Task Events_the_filter_leaves_out_or_of_unregistered_types_are_passed_over_and_the_lag_still_reaches_0()
    {
        var host = await StartAsync(es => es.AddProjection<OnlyOrders>());
        var store = host.Services.GetRequiredService<IEventStore>();
        await OrderAsync(host, "c1", 1, stream: "invoice-");
        await store.AppendAsync("order-x", ExpectedVersion.Any, [new EventData(Guid.CreateVersion7(), "NobodyKnows.v1", "{}"u8.ToArray())]);
        var last = await OrderAsync(host, "c1", 3);

        await CaughtUpAsync(host, last, "orders_only");
        var status = await WaitForStatusAsync(host, "orders_only", s => s.LagEvents == 0 && s.Checkpoint > last.Position);
        Assert.Equal(3m, host.Services.GetRequiredService<OnlyOrders>().State.Revenue["c1"]);
        Assert.Equal(1, status.Skipped);
        Assert.Equal(HealthStatus.Healthy, await HealthAsync(host));
    }

    [Fact]
    public async Task Each_batch_is_traced_by_a_span_linked_to_the_spans_of_the_appends()
    {
        var traceId = System.Diagnostics.ActivityTraceId.CreateRandom();
        var linked = new TaskCompletionSource<System.Diagnostics.Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == EventStoreTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Links.Any(l => l.Context.TraceId == traceId))
                {
                    linked.TrySetResult(activity);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var host = await StartAsync(es => es.AddProjection<RevenueProjection>());

        var body = Encoding.UTF8.GetBytes("{\"customer\":\"c1\",\"total\":1}");
        var traced = new EventData(Guid.CreateVersion7(), "CustomerOrdered.v1", body) { TraceParent = $"00-{traceId}-{System.Diagnostics.ActivitySpanId.CreateRandom()}-01" };
        await host.Services.GetRequiredService<IEventStore>().AppendAsync("order-traced", ExpectedVersion.NoStream, [traced]);

        var span = await linked.Task.WaitAsync(Timeout);
        Assert.Equal("project revenue", span.DisplayName);
        Assert.Equal("revenue", span.GetTagItem("herald.projection.name"));
    }

    protected static async Task<HealthStatus> HealthAsync(IHost host) =>
        (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status;

    public sealed class OnlyOrders : StateProjection<CustomerTotals>
    {
        public override string Name => "orders_only";

        public override EventFilter Filter => EventFilter.ForStreams("order-");

        public override CustomerTotals Initial => CustomerTotals.Empty;

        public override CustomerTotals Apply(CustomerTotals state, ProjectedEvent projected) =>
            projected.Event is CustomerOrdered ordered
                ? new CustomerTotals(state.Revenue.SetItem(ordered.Customer, state.Revenue.GetValueOrDefault(ordered.Customer) + ordered.Total), state.Applied + 1)
                : state;
    }
}

public sealed class EmbeddedProjectionTests : ProjectionCompliance
{
    protected override string ProjectionDirectory => Path.Combine(Directory, "events", "projections");

    protected override Task ConfigureStoreAsync(EventStoreBuilder store)
    {
        store.UseEmbedded(Path.Combine(Directory, "events"));
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStateProjectionTests(PostgresServer server) : ProjectionCompliance
{
    private string? _database;

    protected override string ProjectionDirectory => Path.Combine(Directory, "projections");

    protected override async Task ConfigureStoreAsync(EventStoreBuilder store)
    {
        _database ??= await server.CreateDatabaseAsync();
        store.UsePostgres(_database).UseProjectionDirectory(ProjectionDirectory);
    }
}
