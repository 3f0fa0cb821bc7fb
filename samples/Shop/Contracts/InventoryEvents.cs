using Herald.Client;

namespace Shop.Contracts;

[EventType("StockReserved")]
public sealed record StockReserved([property: EventKey] string OrderId);

[EventType("StockReservationFailed")]
public sealed record StockReservationFailed([property: EventKey] string OrderId, string Sku, string Reason);

// Event-carried state transfer: each event is the product's whole state of that kind, with a version that grows per
// product, so a consumer keeps a copy that never needs to call Inventory and drops a stale update.

[EventType("ProductPriceChanged")]
public sealed record ProductPriceChanged([property: EventKey] string Sku, string Name, decimal Price, long Version);

[EventType("StockLevelChanged")]
public sealed record StockLevelChanged([property: EventKey] string Sku, int Available, long Version);
