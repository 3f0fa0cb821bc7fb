using Herald.Client;

namespace Shop.Contracts;

/// <summary>The order's payment was taken. It carries the lines, so Inventory reserves without asking the Order service.</summary>
[EventType("PaymentProcessed")]
public sealed record PaymentProcessed([property: EventKey] string OrderId, string PaymentId, string CustomerId, decimal Amount, string Currency, IReadOnlyList<OrderLine> Lines);

[EventType("PaymentFailed")]
public sealed record PaymentFailed([property: EventKey] string OrderId, string CustomerId, string Reason);

[EventType("PaymentRefunded")]
public sealed record PaymentRefunded([property: EventKey] string OrderId, string PaymentId, string CustomerId, decimal Amount);
