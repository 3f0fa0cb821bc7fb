using Herald.Client;
using Herald.EventSourcing;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Orders;

/// <summary>
/// The Order service. Orders are event-sourced aggregates in Herald.EventSourcing (<c>order-{id}</c> streams, with
/// snapshots); the relay publishes their life to <see cref="Topics.Orders"/> as the public contracts; two read models
/// are projected from the streams (CQRS); its catalog is a copy kept from Inventory's events (state transfer).
/// </summary>
public static class OrdersService
{
    public const string SagaGroup = "orders-saga";
    public const string CatalogGroup = "orders-catalog";

    /// <param name="args">Command-line arguments, read as configuration.</param>
    /// <param name="settings">The settings; from the <c>Shop</c> configuration section when null.</param>
    /// <param name="store">A store opened elsewhere, with the directory for its projections' files; by default an embedded store in the data directory, or PostgreSQL when <c>Shop:Postgres</c> is set.</param>
    public static WebApplication Build(string[] args, ShopSettings? settings = null, (IEventStore Store, string ProjectionDirectory)? store = null)
    {
        var (builder, shop) = ShopHost.CreateBuilder("orders", args, settings);
        var late = new LatePublisher();
        var postgres = builder.Configuration["Shop:Postgres"];
        builder.Services.AddSingleton(late);
        builder.Services.AddSingleton<Catalog>();
        builder.Services.AddHerald(herald => herald
                .UseShopTransport(shop)
                .AddEvent<Placed>().AddEvent<Paid>().AddEvent<Shipped>().AddEvent<Cancelled>().AddEvent<Refunded>()
                .MapTopic<OrderPlaced>(Topics.Orders).MapTopic<OrderPaid>(Topics.Orders).MapTopic<OrderShipped>(Topics.Orders)
                .MapTopic<OrderCancelled>(Topics.Orders).MapTopic<OrderRefunded>(Topics.Orders)
                .AddConsumer<OrderSaga>(Topics.Payments, SagaGroup, Saga)
                .AddConsumer<OrderSaga>(Topics.Inventory, SagaGroup, Saga)
                .AddConsumer<Catalog>(Topics.Catalog, CatalogGroup))
            .AddEventStore(events =>
            {
                if (store is { } given)
                {
                    events.UseStore(given.Store, given.ProjectionDirectory);
                }
                else if (postgres is not null)
                {
                    events.UsePostgres(postgres).UseProjectionDirectory(Path.Combine(shop.DataDirectory, "orders-projections"));
                }
                else
                {
                    events.UseEmbedded(Path.Combine(shop.DataDirectory, "orders-events"));
                }

                events
                    .AddDecider(Order.Decider, decider => decider.SnapshotEvery = 3)
                    .AddProjection<OrdersByCustomerProjection>()
                    .AddProjection<RevenueDashboardProjection>()
                    .AddRelay("shop_orders", relay => Relay(relay, shop.Faults, late));
            });
        builder.Services.AddHealthChecks().AddHeraldProjections(maxLagEvents: 5_000);

        var app = builder.Build();
        late.Attach(app.Services.GetRequiredService<IEventPublisher>(), app.Services.GetRequiredService<FaultLog>());
        app.MapShopBasics();
        OrdersApi.Map(app);
        return app;
    }

    private static void Saga(ConsumerOptions consumer)
    {
        consumer.MaxConcurrency = 32;

        // A reply that overtook its payment waits for it: a few quick tries, then tiers that let the partition go on.
        consumer.RetryDelay = TimeSpan.FromMilliseconds(100);
        consumer.DelayedRetries.AddRange([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)]);

        // Its failures are waits for a payment, not a dependency that is down: a breaker would only pause the saga.
        consumer.CircuitBreaker.Enabled = false;
    }

    // The public contracts, from the stored events. Version counts the order's events (1 for OrderPlaced), so consumers
    // can order one order's events even when they come apart.
    private static void Relay(RelayOptions relay, ShopFaults faults, LatePublisher late)
    {
        relay.Filter = EventFilter.ForStreams("order-");
        relay.Topic = Topics.Orders;
        relay.PublishUnmapped = false;
        relay.Map<Placed>((placed, recorded) => new OrderPlaced(placed.OrderId, placed.CustomerId, placed.Lines, placed.Total, recorded.Version + 1));
        relay.Map<Paid>((paid, recorded) =>
        {
            var integration = new OrderPaid(paid.OrderId, paid.CustomerId, paid.Amount, recorded.Version + 1);
            return faults.Hits("reorder", paid.OrderId, faults.ReorderedOrders) ? late.HoldBack(integration, recorded) : integration;
        });
        relay.Map<Shipped>((shipped, recorded) => new OrderShipped(shipped.OrderId, shipped.CustomerId, recorded.Version + 1));
        relay.Map<Cancelled>((cancelled, recorded) => new OrderCancelled(cancelled.OrderId, cancelled.CustomerId, cancelled.Reason, cancelled.RefundDue, recorded.Version + 1));
        relay.Map<Refunded>((refunded, recorded) => new OrderRefunded(refunded.OrderId, refunded.CustomerId, refunded.Amount, recorded.Version + 1));
    }
}
