using Herald.Client;

namespace Shop.Contracts;

/// <summary>One line of an order, priced when the order was placed.</summary>
public sealed record OrderLine(string Sku, int Quantity, decimal UnitPrice);

// The order's life, as the Order service publishes it. Version counts the order's events (1 for OrderPlaced), so a
// consumer can tell a late event from an early one for the same order (Herald.Client's EventVersion.Check).

[EventType("OrderPlaced")]
public sealed record OrderPlaced([property: EventKey] string OrderId, string CustomerId, IReadOnlyList<OrderLine> Lines, decimal Total, long Version);

[EventType("OrderPaid")]
public sealed record OrderPaid([property: EventKey] string OrderId, string CustomerId, decimal Amount, long Version);

[EventType("OrderShipped")]
public sealed record OrderShipped([property: EventKey] string OrderId, string CustomerId, long Version);

[EventType("OrderCancelled")]
public sealed record OrderCancelled([property: EventKey] string OrderId, string CustomerId, string Reason, decimal RefundDue, long Version);

[EventType("OrderRefunded")]
public sealed record OrderRefunded([property: EventKey] string OrderId, string CustomerId, decimal Amount, long Version);
