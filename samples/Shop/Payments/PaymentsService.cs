using Herald.Client;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Payments;

/// <summary>The Payment service: takes the payment for each order placed, and refunds a cancelled order that was paid.</summary>
public static class PaymentsService
{
    public const string Group = "payments";

    public static WebApplication Build(string[] args, ShopSettings? settings = null)
    {
        var (builder, shop) = ShopHost.CreateBuilder("payments", args, settings);
        builder.Services.AddHerald(herald => herald
            .UseShopTransport(shop)
            .MapTopic<PaymentProcessed>(Topics.Payments).MapTopic<PaymentFailed>(Topics.Payments).MapTopic<PaymentRefunded>(Topics.Payments)
            .AddConsumer<PaymentHandler>(Topics.Orders, Group, consumer => consumer.MaxConcurrency = 32));
        var app = builder.Build();
        app.MapShopBasics();
        return app;
    }
}

/// <summary>
/// Charges and refunds. Each payment's id is derived from its order, so charging an order again (a redelivered
/// OrderPlaced) publishes the same event id, which every consumer recognises as a duplicate.
/// </summary>
public sealed class PaymentHandler(IEventPublisher events, ShopSettings settings, ShopFaults faults, FaultLog log) : IEventHandler<OrderPlaced>, IEventHandler<OrderCancelled>
{
    public async Task HandleAsync(OrderPlaced order, EventContext context, CancellationToken cancellationToken)
    {
        if (ShopFaults.Fraction(faults.Seed, "declined", order.OrderId) < settings.DeclinedCards)
        {
            await events.PublishAsync(new PaymentFailed(order.OrderId, order.CustomerId, "card declined"), new PublishOptions { Id = StableIds.For("payment", order.OrderId) }, cancellationToken);
            return;
        }

        // The poison fault: a release that wrote the currency in lower case, which Inventory's code does not accept yet.
        var poison = faults.PoisonPayments && faults.Hits("poison", order.OrderId, faults.PoisonShare);
        var currency = poison ? "eur" : "EUR";
        var payment = new PaymentProcessed(order.OrderId, $"pay-{order.OrderId}", order.CustomerId, order.Total, currency, order.Lines);
        var publish = new PublishOptions { Id = StableIds.For("payment", order.OrderId) };
        await events.PublishAsync(payment, publish, cancellationToken);
        if (faults.Hits("duplicate", order.OrderId, faults.DuplicatePayments))
        {
            // The duplicate fault: the acknowledgement was "lost", so the same event is sent again.
            await events.PublishAsync(payment, publish, cancellationToken);
            log.Count(FaultLog.DuplicatePublished);
        }

        if (poison)
        {
            log.Count(FaultLog.PoisonPublished);
        }
    }

    public async Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken)
    {
        if (cancelled.RefundDue > 0)
        {
            var refund = new PaymentRefunded(cancelled.OrderId, $"pay-{cancelled.OrderId}", cancelled.CustomerId, cancelled.RefundDue);
            await events.PublishAsync(refund, new PublishOptions { Id = StableIds.For("refund", cancelled.OrderId) }, cancellationToken);
        }
    }
}

