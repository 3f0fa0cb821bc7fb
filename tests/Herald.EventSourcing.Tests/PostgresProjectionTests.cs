using System.Text;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Herald.EventSourcing.Tests;

/// <summary>Revenue per customer in a table; it can be told to fail once on its n-th event.</summary>
public sealed class RevenueTable(int version = 1, decimal factor = 1, bool inline = false) : PostgresProjection
{
    public override bool Inline => inline;

    private int _seen;

    public int FailOnEvent { get; set; }

    public SemaphoreSlim? Gate { get; set; }

    public override string Name => "revenue_table";

    public override int Version => version;

    public override async Task CreateAsync(PostgresProjectionContext context, CancellationToken cancellationToken)
    {
        await using var create = context.Command($"CREATE TABLE {context.Table("revenue")} (customer text PRIMARY KEY, total numeric NOT NULL, orders int NOT NULL)");
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task ApplyAsync(PostgresProjectionContext context, ProjectedEvent projected, CancellationToken cancellationToken)
    {
        if (Gate is { } gate)
        {
            await gate.WaitAsync(cancellationToken);
            gate.Release();
        }

        var ordered = (CustomerOrdered)projected.Event;
        await using var upsert = context.Command(
            $"INSERT INTO {context.Table("revenue")} AS r VALUES ($1, $2, 1) ON CONFLICT (customer) DO UPDATE SET total = r.total + excluded.total, orders = r.orders + 1",
            ordered.Customer,
            ordered.Total * factor);
        await upsert.ExecuteNonQueryAsync(cancellationToken);
        if (Interlocked.Increment(ref _seen) == FailOnEvent)
        {
            throw new InvalidOperationException("failed after writing part of a batch");
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresProjectionTests(PostgresServer server) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly List<IHost> _hosts = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-es-pgproj-" + Guid.NewGuid().ToString("N"));
    private string _database = "";

    public async Task InitializeAsync() => _database = await server.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts.ToList())
        {
            await StopAsync(host);
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Rows_and_checkpoint_move_together_and_readers_query_a_view_that_survives_restarts()
    {
        var writer = await StartAsync(null);
        for (var i = 0; i < 1_001; i++)
        {
            await OrderAsync(writer, $"c{i % 2}", 1);
        }

        var host = await StartAsync(new RevenueTable());
        await CaughtUpAsync(host, await OrderAsync(host, "c0", 1));
        Assert.Equal([("c0", 502m, 502), ("c1", 500m, 500)], await RevenueAsync());

        await StopAsync(host);
        var again = await StartAsync(new RevenueTable());
        await CaughtUpAsync(again, await OrderAsync(again, "c1", 1));
        Assert.Equal([("c0", 502m, 502), ("c1", 501m, 501)], await RevenueAsync());
    }

    [Fact]
    public async Task Two_instances_of_an_application_apply_each_event_once()
    {
        var one = await StartAsync(new RevenueTable());
        var two = await StartAsync(new RevenueTable());
        AppendResult last = default!;
        for (var i = 0; i < 300; i++)
        {
            last = await OrderAsync(i % 2 == 0 ? one : two, "c1", 1);
        }

        await CaughtUpAsync(one, last);
        await CaughtUpAsync(two, last);
        Assert.Equal([("c1", 300m, 300)], await RevenueAsync());
    }

    [Fact]
    public async Task A_batch_that_fails_midway_leaves_no_rows_behind_and_is_applied_whole_when_retried()
    {
        var writer = await StartAsync(null);
        var store = writer.Services.GetRequiredService<IEventStore>();
        await store.AppendAsync("order-batch", ExpectedVersion.NoStream, [Ordered("c1", 1), Ordered("c1", 2), Ordered("c1", 4)]);

        var failing = new RevenueTable { FailOnEvent = 3 };
        var host = await StartAsync(failing);
        var faulted = await WaitForStatusAsync(host, s => s.Phase == ProjectionPhase.Faulted);
        Assert.Contains("part of a batch", faulted.Error, StringComparison.Ordinal);
        await CaughtUpAsync(host, await OrderAsync(host, "c1", 8));

        Assert.Equal([("c1", 15m, 4)], await RevenueAsync());
    }

    [Fact]
    public async Task A_new_version_builds_new_tables_while_the_view_serves_the_old_ones_then_takes_over_in_one_transaction()
    {
        var v1 = await StartAsync(new RevenueTable());
        for (var i = 0; i < 10; i++)
        {
            await OrderAsync(v1, "c1", 1);
        }

        await CaughtUpAsync(v1, await OrderAsync(v1, "c1", 1));
        await StopAsync(v1);

        using var gate = new SemaphoreSlim(0);
        var v2 = await StartAsync(new RevenueTable(version: 2, factor: 100) { Gate = gate });
        var rebuilding = await WaitForStatusAsync(v2, s => s.Phase == ProjectionPhase.Rebuilding);
        Assert.Equal((1, 2), (rebuilding.Generation, rebuilding.RebuildGeneration));
        Assert.Equal([("c1", 11m, 11)], await RevenueAsync());

        gate.Release();
        await WaitForStatusAsync(v2, s => s.Phase == ProjectionPhase.Live && s.Generation == 2);
        Assert.Equal([("c1", 1100m, 11)], await RevenueAsync());
        Assert.Null(await ScalarAsync("SELECT to_regclass('herald.revenue_g1')::text"));
        Assert.NotNull(await ScalarAsync("SELECT to_regclass('herald.revenue_g2')::text"));
    }

    [Fact]
    public async Task An_inline_projection_is_read_right_after_the_append_and_catches_appends_from_elsewhere_once()
    {
        var host = await StartAsync(new RevenueTable(inline: true));
        await WaitForStatusAsync(host, s => s.Phase == ProjectionPhase.Live && s.Generation == 1);

        for (var i = 1; i <= 20; i++)
        {
            await OrderAsync(host, "c1", 1);
            Assert.Equal([("c1", i, i)], await RevenueAsync()); // no waiting: written in the append's transaction
        }

        // Another application's store knows nothing of the projection: its runner applies those events instead.
        await using (var elsewhere = await PostgresEventStore.OpenAsync(new PostgresEventStoreOptions { ConnectionString = _database }))
        {
            await elsewhere.AppendAsync("order-elsewhere", ExpectedVersion.NoStream, [Ordered("c2", 5)]);
        }

        await CaughtUpAsync(host, await OrderAsync(host, "c1", 1));
        await WaitForStatusAsync(host, s => s.LagEvents == 0);
        Assert.Equal([("c1", 21m, 21), ("c2", 5m, 1)], await RevenueAsync());
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM herald.inline_applied"));
    }

    private static EventData Ordered(string customer, decimal total) =>
        new(Guid.CreateVersion7(), "CustomerOrdered.v1", Encoding.UTF8.GetBytes($"{{\"customer\":\"{customer}\",\"total\":{total}}}"));

    private static Task<AppendResult> OrderAsync(IHost host, string customer, decimal total) =>
        host.Services.GetRequiredService<IEventStore>().AppendAsync("order-" + Guid.NewGuid().ToString("N"), ExpectedVersion.NoStream, [Ordered(customer, total)]);

    private static Task CaughtUpAsync(IHost host, AppendResult last) =>
        host.Services.GetRequiredService<ProjectionManager>().WaitForAsync("revenue_table", last.Position + 1).WaitAsync(Timeout);

    private static async Task<ProjectionStatus> WaitForStatusAsync(IHost host, Func<ProjectionStatus, bool> until)
    {
        var projections = host.Services.GetRequiredService<ProjectionManager>();
        using var timeout = new CancellationTokenSource(Timeout);
        while (!until(projections.GetStatus("revenue_table")))
        {
            await Task.Delay(20, timeout.Token);
        }

        return projections.GetStatus("revenue_table");
    }

    private async Task<List<(string, decimal, int)>> RevenueAsync()
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT customer, total, orders FROM herald.revenue ORDER BY customer", connection);
        await using var reader = await query.ExecuteReaderAsync();
        var rows = new List<(string, decimal, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetDecimal(1), reader.GetInt32(2)));
        }

        return rows;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(sql, connection);
        var value = await query.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    private async Task<IHost> StartAsync(RevenueTable? projection)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHerald(h => h.UseEmbedded(Path.Combine(_directory, "broker-" + _hosts.Count)).AddEvent<CustomerOrdered>())
            .AddEventStore(es =>
            {
                es.UsePostgres(_database);
                if (projection is not null)
                {
                    es.AddProjection(projection);
                }
            });
        var host = builder.Build();
        await host.StartAsync().WaitAsync(Timeout);
        _hosts.Add(host);
        return host;
    }

    private async Task StopAsync(IHost host)
    {
        if (_hosts.Remove(host))
        {
            await host.StopAsync().WaitAsync(Timeout);
            host.Dispose();
        }
    }
}
