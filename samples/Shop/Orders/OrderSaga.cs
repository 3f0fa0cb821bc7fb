using Herald.Client;
using Herald.EventSourcing;
using Shop.Contracts;

namespace Shop.Orders;

/// <summary>
/// The order's side of the saga: it records what Payment and Inventory report, and the order's decider says what
/// follows (ship, cancel, refund due). The events it appends reach the others through the relay.
/// </summary>
public sealed class OrderSaga(CommandHandler<Order, OrderCommand> orders)
    : IEventHandler<PaymentProcessed>, IEventHandler<PaymentFailed>, IEventHandler<StockReserved>, IEventHandler<StockReservationFailed>, IEventHandler<PaymentRefunded>
{
    public Task HandleAsync(PaymentProcessed payment, EventContext context, CancellationToken cancellationToken) =>
        orders.HandleAsync(Order.Stream(payment.OrderId), new RecordPayment(payment.OrderId, payment.PaymentId, payment.Amount), cancellationToken);

    public Task HandleAsync(PaymentFailed failure, EventContext context, CancellationToken cancellationToken) =>
        orders.HandleAsync(Order.Stream(failure.OrderId), new RecordPaymentFailure(failure.OrderId, failure.Reason), cancellationToken);

    public Task HandleAsync(StockReserved reserved, EventContext context, CancellationToken cancellationToken) =>
        orders.HandleAsync(Order.Stream(reserved.OrderId), new ShipOrder(reserved.OrderId), cancellationToken);

    public Task HandleAsync(StockReservationFailed failure, EventContext context, CancellationToken cancellationToken) =>
        orders.HandleAsync(Order.Stream(failure.OrderId), new CancelForStock(failure.OrderId, $"{failure.Sku}: {failure.Reason}"), cancellationToken);

    public Task HandleAsync(PaymentRefunded refund, EventContext context, CancellationToken cancellationToken) =>
        orders.HandleAsync(Order.Stream(refund.OrderId), new RecordRefund(refund.OrderId, refund.Amount), cancellationToken);
}
