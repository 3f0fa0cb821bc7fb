using System.Text;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing.Tests;

/// <summary>Aggregates on every store: deciding, conflicts, snapshots, bad events, tracing.</summary>
public abstract class CommandHandlerScenarios : IAsyncLifetime
{
    protected readonly string _directory = Path.Combine(Path.GetTempPath(), "herald-es-agg-" + Guid.NewGuid().ToString("N"));
    private IHost _host = null!;

    private CommandHandler<Order, OrderCommand> Orders => _host.Services.GetRequiredService<CommandHandler<Order, OrderCommand>>();

    private IEventStore Store => _host.Services.GetRequiredService<IEventStore>();

    /// <summary>Chooses the store under test.</summary>
    protected abstract Task ConfigureStoreAsync(EventStoreBuilder store);

    public async Task InitializeAsync() => _host = await StartAsync(retries: 3);

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<IHost> StartAsync(int retries)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        EventStoreBuilder? store = null;
        builder.Services.AddHerald(h => h
                .UseEmbedded(Path.Combine(_directory, "broker"))
                .AddEvent<OrderPlaced>()
                .AddEvent<OrderPaid>()
                .AddEvent<OrderShipped>()
                .AddEvent<ItemAdded>())
            .AddEventStore(es => store = es
                .AddDecider(Order.Decider, o =>
                {
                    o.MaxConflictRetries = retries;
                    o.SnapshotEvery = 3;
                }));
        await ConfigureStoreAsync(store!);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public async Task Commands_decide_events_that_are_stored_and_folded_into_state()
    {
        await Orders.HandleAsync("order-1", new PlaceOrder("1", 30m));
        await Orders.HandleAsync("order-1", new PayOrder("1", 30m));
        var shipped = await Orders.HandleAsync("order-1", new ShipOrder("1"));
        var again = await Orders.HandleAsync("order-1", new PlaceOrder("1", 99m));

        Assert.Equal(new Order("shipped", 30m, 30m, 0), shipped.State);
        Assert.Equal(2, shipped.Version);
        Assert.Empty(again.Events);
        Assert.Equal(2, again.Version);
        Assert.Equal(shipped.State, (await Orders.LoadAsync("order-1")).State);

        var stored = new List<RecordedEvent>();
        await foreach (var e in Store.ReadStreamAsync("order-1"))
        {
            stored.Add(e);
        }

        Assert.Equal(["OrderPlaced.v1", "OrderPaid.v1", "OrderShipped.v1"], stored.Select(e => e.Type));
        Assert.Contains("\"total\":30", Encoding.UTF8.GetString(stored[0].Data.Span), StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Orders.HandleAsync("order-1", new PayOrder("1", 1m)));
    }

    [Fact]
    public async Task Concurrent_commands_on_one_aggregate_are_decided_again_after_a_conflict()
    {
        await Orders.HandleAsync("order-2", new PlaceOrder("2", 10m));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => Orders.HandleAsync("order-2", new AddItem("2", $"sku-{i}")))));

        var (state, version) = await Orders.LoadAsync("order-2");
        Assert.Equal(4, state.Items);
        Assert.Equal(4, version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_writer_that_appends_between_load_and_append_causes_a_retry_or_reaches_the_caller(int retries)
    {
        await Orders.HandleAsync("order-3", new PlaceOrder("3", 10m));
        var decisions = 0;
        var racing = Order.Decider with
        {
            Decide = (command, state) =>
            {
                if (Interlocked.Increment(ref decisions) == 1)
                {
                    // Another process adds an item after this one loaded the order.
                    Store.AppendAsync("order-3", ExpectedVersion.Any, [new EventData(Guid.CreateVersion7(), "ItemAdded.v1", Encoding.UTF8.GetBytes("{\"orderId\":\"3\",\"sku\":\"x\"}"))]).GetAwaiter().GetResult();
                }

                return Order.Decider.Decide(command, state);
            },
        };
        var handler = new CommandHandler<Order, OrderCommand>(Store, _host.Services.GetRequiredService<EventCodec>(), racing, new CommandHandlerOptions { MaxConflictRetries = retries });

        if (retries == 0)
        {
            var conflict = await Assert.ThrowsAsync<WrongExpectedVersionException>(() => handler.HandleAsync("order-3", new AddItem("3", "y")));
            Assert.Equal(1, conflict.ActualVersion);
            Assert.Equal(1, (await Orders.LoadAsync("order-3")).State.Items);
        }
        else
        {
            var result = await handler.HandleAsync("order-3", new AddItem("3", "y"));
            Assert.Equal((2, 2L), (result.State.Items, result.Version!.Value));
            Assert.Equal(2, decisions);
        }
    }

    [Fact]
    public async Task An_unregistered_event_type_in_a_stream_is_a_typed_error()
    {
        await Store.AppendAsync("order-4", ExpectedVersion.NoStream, [new EventData(Guid.CreateVersion7(), "OrderCancelled.v1", Encoding.UTF8.GetBytes("{}"))]);

        var error = await Assert.ThrowsAsync<InvalidEventException>(() => Orders.LoadAsync("order-4"));
        Assert.Contains("OrderCancelled.v1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loading_starts_from_the_snapshot_of_the_same_schema_and_reads_only_what_follows()
    {
        await Orders.HandleAsync("order-5", new PlaceOrder("5", 10m));
        for (var i = 0; i < 6; i++)
        {
            await Orders.HandleAsync("order-5", new AddItem("5", $"sku-{i}"));
        }

        var taken = await Store.LoadSnapshotAsync("order-5");
        Assert.Equal(5, taken!.Version); // passing 3 and 6 events took snapshots; the latest is after the 6th
        Assert.Equal((6, 6L), ((await Orders.LoadAsync("order-5")).State.Items, (await Orders.LoadAsync("order-5")).Version!.Value));

        // A snapshot that says something the events do not: loading must have used it, plus the one event after it.
        await Store.SaveSnapshotAsync("order-5", new Snapshot(5, 1, Encoding.UTF8.GetBytes("{\"status\":\"placed\",\"total\":10,\"paid\":0,\"items\":100}")));
        Assert.Equal(101, (await Orders.LoadAsync("order-5")).State.Items);

        // One of another schema version is ignored: the state comes from the events alone.
        await Store.SaveSnapshotAsync("order-5", new Snapshot(5, 2, Encoding.UTF8.GetBytes("{\"status\":\"placed\",\"total\":10,\"paid\":0,\"items\":100}")));
        Assert.Equal(6, (await Orders.LoadAsync("order-5")).State.Items);

        // So is one that no longer reads as the state.
        await Store.SaveSnapshotAsync("order-5", new Snapshot(5, 1, Encoding.UTF8.GetBytes("[1,2,3]")));
        Assert.Equal(6, (await Orders.LoadAsync("order-5")).State.Items);
    }

    [Fact]
    public async Task The_append_span_travels_with_the_events_and_appends_are_counted()
    {
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == EventStoreTelemetry.Name,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        var appended = 0L;
        using var meters = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EventStoreTelemetry.Name && instrument.Name == "herald.eventstore.appended")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref appended, value));
        meters.Start();

        await Orders.HandleAsync("order-6", new PlaceOrder("6", 10m));
        var stored = new List<RecordedEvent>();
        await foreach (var e in Store.ReadStreamAsync("order-6"))
        {
            stored.Add(e);
        }

        var span = Assert.Single(spans, s => s.DisplayName == "append order-6");
        Assert.Equal(span.Id, stored.Single().TraceParent);
        Assert.True(Interlocked.Read(ref appended) >= 1, "the append was not counted"); // other test classes append in parallel, so at least
    }
}

public sealed class EmbeddedCommandHandlerTests : CommandHandlerScenarios
{
    protected override Task ConfigureStoreAsync(EventStoreBuilder store)
    {
        store.UseEmbedded(Path.Combine(_directory, "events"));
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresCommandHandlerTests(PostgresServer server) : CommandHandlerScenarios
{
    private string? _database;

    protected override async Task ConfigureStoreAsync(EventStoreBuilder store)
    {
        _database ??= await server.CreateDatabaseAsync();
        store.UsePostgres(_database);
    }
}
