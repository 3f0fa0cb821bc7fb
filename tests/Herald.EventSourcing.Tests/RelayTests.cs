using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.EventSourcing.Tests;

[EventType("CustomerRefunded")]
public sealed record CustomerRefunded(string Customer, decimal Amount);

/// <summary>The integration event published instead of a refund: the state a consumer keeps, not the change.</summary>
[EventType("CustomerBalance")]
public sealed record CustomerBalance(string Customer, decimal Refunded, string Stream);

/// <summary>Every event a consumer handled, in order.</summary>
public sealed class Handled
{
    public ConcurrentQueue<(object Event, EventMetadata Metadata)> Events { get; } = new();

    public async Task WaitForCountAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Events.Count < count)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}

public sealed class RelayedHandler(Handled handled) : IEventHandler<CustomerOrdered>, IEventHandler<CustomerBalance>
{
    public Task HandleAsync(CustomerOrdered @event, EventContext context, CancellationToken cancellationToken) => Record(@event, context);

    public Task HandleAsync(CustomerBalance @event, EventContext context, CancellationToken cancellationToken) => Record(@event, context);

    private Task Record(object @event, EventContext context)
    {
        handled.Events.Enqueue((@event, context.Metadata));
        return Task.CompletedTask;
    }
}

/// <summary>What the outbox relay must do on every store: same ids, stream keys, the append's trace, mapped types, resume.</summary>
public abstract class RelayCompliance : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];
    private volatile bool _refundsFail;

    protected string Directory { get; } = Path.Combine(Path.GetTempPath(), "herald-es-relay-" + Guid.NewGuid().ToString("N"));

    protected abstract Task ConfigureStoreAsync(EventStoreBuilder store);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
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

    [Fact]
    public async Task Stored_events_reach_the_topic_with_their_ids_stream_keys_and_trace_and_mapped_types_are_replaced()
    {
        var host = await StartAsync();
        var store = host.Services.GetRequiredService<IEventStore>();
        var ordered = Event("CustomerOrdered.v1", "{\"customer\":\"c1\",\"total\":30}") with { CorrelationId = "checkout-7", TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" };
        var refunded = Event("CustomerRefunded.v1", "{\"customer\":\"c1\",\"amount\":5}");
        var ignored = Event("CustomerOrdered.v1", "{\"customer\":\"c2\",\"total\":1}");
        await store.AppendAsync("customer-c1", ExpectedVersion.NoStream, [ordered, refunded]);
        await store.AppendAsync("invoice-9", ExpectedVersion.NoStream, [ignored]);

        var handled = host.Services.GetRequiredService<Handled>();
        await handled.WaitForCountAsync(2);
        await Task.Delay(300); // nothing else may arrive: the filter leaves invoice-9 out
        var events = handled.Events.ToList();

        Assert.Equal(2, events.Count);
        Assert.Equal(new CustomerOrdered("c1", 30), events[0].Event);
        Assert.Equal(ordered.EventId, events[0].Metadata.Id);
        Assert.Equal("customer-c1", events[0].Metadata.Key);
        Assert.Equal("checkout-7", events[0].Metadata.CorrelationId);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", ActivityContext.Parse(events[0].Metadata.TraceParent!, null).TraceId.ToString());
        Assert.Equal(new CustomerBalance("c1", 5, "customer-c1"), events[1].Event);
        Assert.Equal(refunded.EventId, events[1].Metadata.Id);
        Assert.Equal(0, RelayLag("customers"));
    }

    // The relay's lag as the meter reports it (herald.relay.lag, per relay name).
    private static long? RelayLag(string relay)
    {
        long? lag = null;
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == EventStoreTelemetry.Name && instrument.Name == "herald.relay.lag")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "herald.relay.name" && (string?)tag.Value == relay)
                {
                    lag = value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return lag;
    }

    [Fact]
    public async Task After_a_restart_the_relay_goes_on_from_its_checkpoint()
    {
        var host = await StartAsync();
        var store = host.Services.GetRequiredService<IEventStore>();
        for (var i = 0; i < 5; i++)
        {
            await store.AppendAsync($"customer-{i}", ExpectedVersion.NoStream, [Event("CustomerOrdered.v1", $"{{\"customer\":\"c{i}\",\"total\":1}}")]);
        }

        await host.Services.GetRequiredService<Handled>().WaitForCountAsync(5);
        await StopAsync(host);

        var again = await StartAsync();
        await again.Services.GetRequiredService<IEventStore>().AppendAsync("customer-5", ExpectedVersion.NoStream, [Event("CustomerOrdered.v1", "{\"customer\":\"c5\",\"total\":1}")]);
        var handled = again.Services.GetRequiredService<Handled>();
        await handled.WaitForCountAsync(1);
        await Task.Delay(300);

        // The new consumer host starts from its committed offsets: a relay that began again from 0 would show up here.
        Assert.Equal(["c5"], handled.Events.Select(e => ((CustomerOrdered)e.Event).Customer));
    }

    [Fact]
    public async Task A_relay_that_cannot_publish_reports_its_lag_and_delivers_once_it_can()
    {
        _refundsFail = true;
        var host = await StartAsync();
        await host.Services.GetRequiredService<IEventStore>().AppendAsync("customer-9", ExpectedVersion.NoStream, [Event("CustomerRefunded.v1", "{\"customer\":\"c9\",\"amount\":1}")]);

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (RelayLag("customers") is not >= 1)
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        _refundsFail = false;
        await host.Services.GetRequiredService<Handled>().WaitForCountAsync(1);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (RelayLag("customers") != 0)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    private static EventData Event(string type, string body) => new(Guid.CreateVersion7(), type, Encoding.UTF8.GetBytes(body));

    private async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Handled>();
        EventStoreBuilder? store = null;
        builder.Services.AddHerald(h => h
                .UseEmbedded(Path.Combine(Directory, "broker"))
                .AddEvent<CustomerOrdered>()
                .AddEvent<CustomerRefunded>()
                .AddEvent<CustomerBalance>())
            .AddConsumer<RelayedHandler>("customers", group: "relay-test")
            .AddEventStore(es => store = es.AddRelay("customers", relay =>
            {
                relay.Filter = EventFilter.ForStreams("customer-");
                relay.Topic = "customers";
                relay.Map<CustomerRefunded>((refund, recorded) => _refundsFail
                    ? throw new InvalidOperationException("the balance service is down")
                    : new CustomerBalance(refund.Customer, refund.Amount, recorded.StreamId));
            }));
        await ConfigureStoreAsync(store!);
        var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        _hosts.Add(host);
        return host;
    }

    private async Task StopAsync(IHost host)
    {
        if (_hosts.Remove(host))
        {
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            host.Dispose();
        }
    }
}

public sealed class EmbeddedRelayTests : RelayCompliance
{
    protected override Task ConfigureStoreAsync(EventStoreBuilder store)
    {
        store.UseEmbedded(Path.Combine(Directory, "events"));
        return Task.CompletedTask;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRelayTests(PostgresServer server) : RelayCompliance
{
    private string? _database;

    protected override async Task ConfigureStoreAsync(EventStoreBuilder store)
    {
        _database ??= await server.CreateDatabaseAsync();
        store.UsePostgres(_database);
    }
}
