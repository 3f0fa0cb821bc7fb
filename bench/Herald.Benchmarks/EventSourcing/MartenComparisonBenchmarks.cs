using System.Text;
using BenchmarkDotNet.Attributes;
using Herald.Client;
using Herald.EventSourcing;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.Benchmarks.EventSourcing;

/// <summary>
/// Herald's PostgreSQL store beside Marten 9, on one throwaway PostgreSQL (fsync and synchronous_commit on), with the
/// same events: appends by 16 writers, loading an aggregate of 1,000 events, and rebuilding a projection from all events.
/// </summary>
[MemoryDiagnoser]
public class MartenComparisonBenchmarks
{
    private const int Writers = 16;
    private const int AppendsPerWriter = 100;
    private const int RebuildEvents = 20_000;
    private const int Customers = 500;
    private ThrowawayPostgres _postgres = null!;
    private PostgresEventStore? _herald;
    private DocumentStore _marten = null!;
    private IHost? _host;
    private int _round;
    private byte[] _body = [];

    [GlobalSetup(Targets = [nameof(Append_Herald), nameof(Append_Marten)])]
    public async Task SetupAppendsAsync() => await OpenAsync();

    [GlobalSetup(Targets = [nameof(Load_Herald), nameof(Load_Marten_FetchLatest), nameof(Load_Marten_Replay)])]
    public async Task SetupLoadsAsync()
    {
        await OpenAsync();
        _host = await StartHeraldHostAsync(es => es.UsePostgres(_postgres.ConnectionString).AddDecider(Cart.Decider, o => o.SnapshotEvery = 100));
        var carts = _host.Services.GetRequiredService<CommandHandler<Cart, AddToCart>>();
        await using var session = _marten.LightweightSession();
        for (var i = 0; i < 1_000; i++)
        {
            await carts.HandleAsync("cart-1", new AddToCart($"sku-{i}"));
            session.Events.Append("cart-1", new ItemAdded($"sku-{i}"));
        }

        await session.SaveChangesAsync();
    }

    [GlobalSetup(Targets = [nameof(Rebuild_Herald_Postgres), nameof(Rebuild_Marten_Daemon)])]
    public async Task SetupRebuildsAsync()
    {
        await OpenAsync();
        await SeedRebuildEventsAsync();
        _host = await StartHeraldHostAsync(es => es.UsePostgres(_postgres.ConnectionString).UseProjectionDirectory(Storage.StorageBenchmarkData.NewDirectory("projections")).AddProjection<RevenueTable>());
        await WaitForGenerationAsync(1);
    }

    [GlobalSetup(Target = nameof(Rebuild_Herald_Embedded))]
    public async Task SetupEmbeddedRebuildAsync()
    {
        var directory = Storage.StorageBenchmarkData.NewDirectory("events");
        await using (var store = EmbeddedEventStore.Open(new EmbeddedEventStoreOptions { Directory = directory }))
        {
            foreach (var (stream, events) in RebuildEventsByStream())
            {
                await store.AppendAsync(stream, ExpectedVersion.NoStream, [.. events.Select(ToEventData)]);
            }
        }

        _host = await StartHeraldHostAsync(es => es.UseEmbedded(directory).AddProjection<RevenueState>());
        await WaitForGenerationAsync(1);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        if (_herald is not null)
        {
            await _herald.DisposeAsync();
            _marten.Dispose();
            _postgres.Dispose();
        }
    }

    /// <summary>One event appended to a new stream (expected: no stream), by 16 writers at once; per event.</summary>
    [Benchmark(OperationsPerInvoke = Writers * AppendsPerWriter)]
    public Task Append_Herald()
    {
        var round = _round++;
        return Writers16(async (writer, i) => await _herald!.AppendAsync($"order-{round}-{writer}-{i}", ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "Placed.v1", _body)]));
    }

    /// <summary>The same with Marten: a lightweight session that starts a stream with one event and saves.</summary>
    [Benchmark(OperationsPerInvoke = Writers * AppendsPerWriter)]
    public Task Append_Marten()
    {
        var round = _round++;
        return Writers16(async (writer, i) =>
        {
            await using var session = _marten.LightweightSession();
            session.Events.StartStream($"order-{round}-{writer}-{i}", new Placed("c-42", 129.90m));
            await session.SaveChangesAsync();
        });
    }

    /// <summary>An aggregate of 1,000 events with a snapshot every 100 events: the latest snapshot, then the events after it.</summary>
    [Benchmark]
    public async Task<int> Load_Herald() => (await _host!.Services.GetRequiredService<CommandHandler<Cart, AddToCart>>().LoadAsync("cart-1")).State.Items;

    /// <summary>Marten's way to the same: FetchLatest with an inline snapshot (updated on every append, not every 100).</summary>
    [Benchmark]
    public async Task<int> Load_Marten_FetchLatest()
    {
        await using var session = _marten.LightweightSession();
        return (await session.Events.FetchLatest<CartView>("cart-1"))!.Items;
    }

    /// <summary>Marten replaying all 1,000 events, for scale.</summary>
    [Benchmark]
    public async Task<int> Load_Marten_Replay()
    {
        await using var session = _marten.QuerySession();
        return (await session.Events.AggregateStreamAsync<CartView>("cart-1"))!.Items;
    }

    /// <summary>A projection of revenue per customer rebuilt from all 20,000 events, beside the served one, until it takes over.</summary>
    [Benchmark(OperationsPerInvoke = RebuildEvents)]
    public async Task Rebuild_Herald_Postgres()
    {
        var projections = _host!.Services.GetRequiredService<ProjectionManager>();
        var next = projections.GetStatus(RevenueTable.ProjectionName).Generation!.Value + 1;
        await projections.RequestRebuildAsync(RevenueTable.ProjectionName);
        await WaitForGenerationAsync(next);
    }

    /// <summary>The same read model as a state projection on the embedded store, rebuilt the same way.</summary>
    [Benchmark(OperationsPerInvoke = RebuildEvents)]
    public Task Rebuild_Herald_Embedded() => Rebuild_Herald_Postgres();

    /// <summary>The same projection in Marten, rebuilt by its async daemon.</summary>
    [Benchmark(OperationsPerInvoke = RebuildEvents)]
    public async Task Rebuild_Marten_Daemon()
    {
        using var daemon = await _marten.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<RevenueView>(CancellationToken.None);
    }

    private async Task OpenAsync()
    {
        _postgres = ThrowawayPostgres.Start();
        _body = Encoding.UTF8.GetBytes("{\"customer\":\"c-42\",\"total\":129.90}");
        _herald = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = _postgres.ConnectionString });
        _marten = DocumentStore.For(options =>
        {
            options.Connection(_postgres.ConnectionString);
            options.DatabaseSchemaName = "marten";
            options.Events.StreamIdentity = StreamIdentity.AsString;
            options.Projections.Snapshot<CartView>(SnapshotLifecycle.Inline);
            options.Projections.Add<RevenueView>(ProjectionLifecycle.Async);
        });
        await _marten.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    }

    private static IEnumerable<(string Stream, List<Placed> Events)> RebuildEventsByStream()
    {
        const int PerStream = 100;
        for (var s = 0; s < RebuildEvents / PerStream; s++)
        {
            yield return ($"order-{s}", [.. Enumerable.Range(0, PerStream).Select(i => new Placed($"c-{((s * PerStream) + i) % Customers}", 10m))]);
        }
    }

    private static EventData ToEventData(Placed placed) =>
        new(Guid.CreateVersion7(), "Placed.v1", Encoding.UTF8.GetBytes($"{{\"customer\":\"{placed.Customer}\",\"total\":{placed.Total}}}"));

    private async Task SeedRebuildEventsAsync()
    {
        foreach (var (stream, placed) in RebuildEventsByStream())
        {
            await _herald!.AppendAsync(stream, ExpectedVersion.NoStream, [.. placed.Select(ToEventData)]);
            await using var session = _marten.LightweightSession();
            session.Events.StartStream(stream, [.. placed.Cast<object>()]);
            await session.SaveChangesAsync();
        }

        using var daemon = await _marten.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync<RevenueView>(CancellationToken.None);
    }

    private async Task WaitForGenerationAsync(int generation)
    {
        var projections = _host!.Services.GetRequiredService<ProjectionManager>();
        while (projections.GetStatus(RevenueTable.ProjectionName) is not { Phase: ProjectionPhase.Live } status || status.Generation != generation)
        {
            await Task.Delay(5);
        }
    }

    private static Task Writers16(Func<int, int, Task> append) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < AppendsPerWriter; i++)
            {
                await append(writer, i);
            }
        })));

    private static async Task<IHost> StartHeraldHostAsync(Action<EventStoreBuilder> store)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHerald(h => h.UseEmbedded(Storage.StorageBenchmarkData.NewDirectory("broker")).AddEvent<Placed>().AddEvent<ItemAdded>())
            .AddEventStore(store);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}

[EventType("Placed")]
public sealed record Placed(string Customer, decimal Total);

[EventType("ItemAdded")]
public sealed record ItemAdded(string Sku);

public sealed record AddToCart(string Sku);

/// <summary>The aggregate loaded in both stores: a cart that counts its items.</summary>
public sealed record Cart(int Items)
{
    public static readonly Decider<Cart, AddToCart> Decider = new(new Cart(0), (add, _) => [new ItemAdded(add.Sku)], (cart, _) => cart with { Items = cart.Items + 1 });
}

/// <summary>Marten's cart: the same count, as a self-aggregating snapshot.</summary>
public sealed class CartView
{
    public string Id { get; set; } = "";

    public int Items { get; set; }

    public void Apply(ItemAdded added) => Items++;
}

/// <summary>Marten's revenue per customer: one document per customer, from every order's events.</summary>
public sealed class RevenueDocument
{
    public string Id { get; set; } = "";

    public decimal Total { get; set; }

    public int Orders { get; set; }
}

public sealed class RevenueView : MultiStreamProjection<RevenueDocument, string>
{
    public RevenueView() => Identity<Placed>(placed => placed.Customer);

    public void Apply(RevenueDocument document, Placed placed)
    {
        document.Total += placed.Total;
        document.Orders++;
    }
}

/// <summary>Herald's revenue per customer in memory, on the embedded store.</summary>
public sealed class RevenueState : StateProjection<System.Collections.Immutable.ImmutableDictionary<string, decimal>>
{
    public override string Name => RevenueTable.ProjectionName;

    public override System.Collections.Immutable.ImmutableDictionary<string, decimal> Initial => System.Collections.Immutable.ImmutableDictionary<string, decimal>.Empty;

    public override System.Collections.Immutable.ImmutableDictionary<string, decimal> Apply(System.Collections.Immutable.ImmutableDictionary<string, decimal> state, ProjectedEvent projected)
    {
        var placed = (Placed)projected.Event;
        return state.SetItem(placed.Customer, state.GetValueOrDefault(placed.Customer) + placed.Total);
    }
}

/// <summary>Herald's revenue per customer: one row per customer, one upsert per customer a batch touches.</summary>
public sealed class RevenueTable : PostgresProjection
{
    public const string ProjectionName = "revenue";

    public override string Name => ProjectionName;

    public override async Task CreateAsync(PostgresProjectionContext context, CancellationToken cancellationToken)
    {
        await using var create = context.Command($"CREATE TABLE {context.Table("revenue")} (customer text PRIMARY KEY, total numeric NOT NULL, orders int NOT NULL)");
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public override Task ApplyAsync(PostgresProjectionContext context, ProjectedEvent projected, CancellationToken cancellationToken) =>
        ApplyBatchAsync(context, [projected], cancellationToken);

    public override async Task ApplyBatchAsync(PostgresProjectionContext context, IReadOnlyList<ProjectedEvent> batch, CancellationToken cancellationToken)
    {
        var sums = batch.Select(e => (Placed)e.Event).GroupBy(p => p.Customer).Select(g => (Customer: g.Key, Total: g.Sum(p => p.Total), Orders: g.Count())).ToList();
        await using var upsert = context.Command(
            $"INSERT INTO {context.Table("revenue")} AS r SELECT * FROM unnest($1::text[], $2::numeric[], $3::int[]) ON CONFLICT (customer) DO UPDATE SET total = r.total + excluded.total, orders = r.orders + excluded.orders",
            sums.Select(s => s.Customer).ToArray(),
            sums.Select(s => s.Total).ToArray(),
            sums.Select(s => s.Orders).ToArray());
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }
}
