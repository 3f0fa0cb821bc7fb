using Herald.Client;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Inventory;

/// <summary>
/// Inventory: reserves stock for paid orders, and publishes the catalog (price and stock, full state per product) for
/// the services that keep a copy.
/// </summary>
public static class InventoryService
{
    public const string Group = "inventory";

    public static WebApplication Build(string[] args, ShopSettings? settings = null)
    {
        var (builder, shop) = ShopHost.CreateBuilder("inventory", args, settings);
        builder.Services.AddSingleton<StockDatabase>();
        builder.Services.AddSingleton<CatalogPublisher>();
        builder.Services.AddHostedService<ShelfKeeper>();
        builder.Services.AddHerald(herald => herald
            .UseShopTransport(shop)
            .MapTopic<StockReserved>(Topics.Inventory).MapTopic<StockReservationFailed>(Topics.Inventory)
            .MapTopic<ProductPriceChanged>(Topics.Catalog).MapTopic<StockLevelChanged>(Topics.Catalog)
            .AddConsumer<ReservationHandler>(Topics.Payments, Group, consumer =>
            {
                consumer.MaxConcurrency = 32;

                // A payment Inventory cannot read will not become readable by retrying: park it for an operator.
                consumer.Failures.On<UnsupportedCurrencyException>(FailureAction.DeadLetter);

                // When the database is down every reservation fails alike: the breaker stops reading, and the payments
                // wait in the log rather than burn through their retries into the dead-letter topic. The retries must
                // outlast the time the breaker takes to see the outage (the successes in its window count against it):
                // here about 8 s of retries against a 2 s window.
                consumer.Retries = 5;
                consumer.RetryDelay = TimeSpan.FromMilliseconds(250);
                consumer.CircuitBreaker.MinimumThroughput = 10;
                consumer.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(2);
                consumer.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(3);
            }));

        var app = builder.Build();
        app.MapShopBasics();
        app.MapGet("/stock", (StockDatabase stock) => new { items = stock.Items, lowestLevel = stock.LowestLevel, reservations = stock.Reservations, reservedTwice = stock.ReservedTwice });
        return app;
    }
}
