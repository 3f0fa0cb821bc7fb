namespace Shop.Contracts;

/// <summary>The shop's topics. A producer knows its own; no producer knows who reads them.</summary>
public static class Topics
{
    /// <summary>UserRegistered, from the User service.</summary>
    public const string Users = "shop.users";

    /// <summary>The order's life (placed, paid, shipped, cancelled, refunded), relayed from the Order service's event store.</summary>
    public const string Orders = "shop.orders";

    /// <summary>PaymentProcessed, PaymentFailed, PaymentRefunded, from the Payment service.</summary>
    public const string Payments = "shop.payments";

    /// <summary>StockReserved, StockReservationFailed, from Inventory.</summary>
    public const string Inventory = "shop.inventory";

    /// <summary>ProductPriceChanged, StockLevelChanged: full state per product, from Inventory.</summary>
    public const string Catalog = "shop.catalog";
}
