using Herald.Client;
using Herald.EventSourcing;
using Shop.Contracts;

namespace Shop.Orders;

// The order's own events, as its stream keeps them; each names the customer, so a reader needs no other event to place it.
// They are the Order service's private language: the relay turns
// them into the public contracts (Shop.Contracts), which may change at a different pace.

[EventType("order.placed")]
public sealed record Placed(string OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines, decimal Total);

[EventType("order.paid")]
public sealed record Paid(string OrderId, string CustomerId, string PaymentId, decimal Amount);

[EventType("order.shipped")]
public sealed record Shipped(string OrderId, string CustomerId);

[EventType("order.cancelled")]
public sealed record Cancelled(string OrderId, string CustomerId, string Reason, decimal RefundDue);

[EventType("order.refunded")]
public sealed record Refunded(string OrderId, string CustomerId, decimal Amount);

public abstract record OrderCommand;

public sealed record PlaceOrder(string OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines) : OrderCommand;

public sealed record RecordPayment(string OrderId, string PaymentId, decimal Amount) : OrderCommand;

public sealed record RecordPaymentFailure(string OrderId, string Reason) : OrderCommand;

public sealed record ShipOrder(string OrderId) : OrderCommand;

public sealed record CancelForStock(string OrderId, string Reason) : OrderCommand;

public sealed record RecordRefund(string OrderId, decimal Amount) : OrderCommand;

public enum OrderStatus
{
    New,
    Placed,
    Paid,
    Shipped,
    Cancelled,
}

/// <summary>
/// The order, event-sourced: its state is the replay of its stream. Each command is decided on that state; a command
/// that already took effect decides nothing, so a redelivered event cannot pay, ship or refund twice.
/// </summary>
public sealed record Order(OrderStatus Status, string CustomerId, decimal Total, decimal Paid, decimal RefundDue, decimal Refunded)
{
    public static readonly Decider<Order, OrderCommand> Decider = new(new Order(OrderStatus.New, "", 0, 0, 0, 0), Decide, Evolve);

    public static string Stream(string orderId) => $"order-{orderId}";

    private static IEnumerable<object> Decide(OrderCommand command, Order order) => command switch
    {
        PlaceOrder place when order.Status == OrderStatus.New => [new Placed(place.OrderId, place.CustomerId, place.Lines, place.Lines.Sum(l => l.UnitPrice * l.Quantity))],
        PlaceOrder => [],
        RecordPayment pay when order.Status == OrderStatus.Placed => [new Paid(pay.OrderId, order.CustomerId, pay.PaymentId, pay.Amount)],
        RecordPaymentFailure failure when order.Status == OrderStatus.Placed => [new Cancelled(failure.OrderId, order.CustomerId, failure.Reason, RefundDue: 0m)],

        // Inventory answers after the payment, but on another topic, so its answer can be read before the payment is.
        ShipOrder or CancelForStock when order.Status is OrderStatus.New or OrderStatus.Placed => throw new OrderNotReadyException(command, order.Status),
        ShipOrder ship when order.Status == OrderStatus.Paid => [new Shipped(ship.OrderId, order.CustomerId)],
        CancelForStock cancel when order.Status == OrderStatus.Paid => [new Cancelled(cancel.OrderId, order.CustomerId, cancel.Reason, RefundDue: order.Paid)],
        RecordRefund refund when order.RefundDue > 0 && order.Refunded == 0 => [new Refunded(refund.OrderId, order.CustomerId, refund.Amount)],
        _ => [], // already done, or overtaken (a payment for a cancelled order): nothing more to record
    };

    private static Order Evolve(Order order, object @event) => @event switch
    {
        Placed placed => order with { Status = OrderStatus.Placed, CustomerId = placed.CustomerId, Total = placed.Total },
        Paid paid => order with { Status = OrderStatus.Paid, Paid = paid.Amount },
        Shipped => order with { Status = OrderStatus.Shipped },
        Cancelled cancelled => order with { Status = OrderStatus.Cancelled, RefundDue = cancelled.RefundDue },
        Refunded refunded => order with { Refunded = refunded.Amount },
        _ => order,
    };
}

/// <summary>A reply arrived before the payment it follows; retried until the payment is recorded.</summary>
public sealed class OrderNotReadyException(OrderCommand command, OrderStatus status)
    : Exception($"{command.GetType().Name} arrived while the order is {status}; it waits for the payment.");
