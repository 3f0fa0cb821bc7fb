using Herald.Client;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Analytics;

/// <summary>Analytics: counts orders and revenue per hour from the order events, into a ledger of its own.</summary>
public static class AnalyticsService
{
    public const string Group = "analytics";

    public static WebApplication Build(string[] args, ShopSettings? settings = null)
    {
        var (builder, shop) = ShopHost.CreateBuilder("analytics", args, settings);
        builder.Services.AddSingleton(_ => new AnalyticsLedger(Path.Combine(shop.DataDirectory, "analytics", "facts.tsv")));
        builder.Services.AddHerald(herald => herald
            .UseShopTransport(shop)
            .AddConsumer<AnalyticsHandler>(Topics.Orders, Group, consumer => consumer.MaxConcurrency = 32));

        var app = builder.Build();
        app.MapShopBasics();
        app.MapGet("/analytics", (AnalyticsLedger ledger) => ledger.Totals);
        return app;
    }
}

/// <summary>Each order event becomes a fact in the ledger, durable before the event counts as handled.</summary>
public sealed class AnalyticsHandler(AnalyticsLedger ledger) : IEventHandler<OrderPlaced>, IEventHandler<OrderPaid>, IEventHandler<OrderRefunded>
{
    public Task HandleAsync(OrderPlaced placed, EventContext context, CancellationToken cancellationToken) =>
        ledger.RecordAsync(new Fact("placed", placed.OrderId, placed.Total, Hour(context)));

    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) =>
        ledger.RecordAsync(new Fact("paid", paid.OrderId, paid.Amount, Hour(context)));

    public Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken) =>
        ledger.RecordAsync(new Fact("refunded", refunded.OrderId, refunded.Amount, Hour(context)));

    private static string Hour(EventContext context) =>
        context.Metadata.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:00", System.Globalization.CultureInfo.InvariantCulture);
}
