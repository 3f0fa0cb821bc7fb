using Herald.Client;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Inventory;

/// <summary>A payment names a currency this code does not read; retrying cannot help.</summary>
public sealed class UnsupportedCurrencyException(string currency) : Exception($"Currency '{currency}' is not supported.");

/// <summary>
/// Reserves the stock of each paid order. It relies on the consumer's idempotency: Payment sends some events twice,
/// and the second copy of an event id is skipped before it gets here, so no order is reserved twice.
/// </summary>
public sealed class ReservationHandler(StockDatabase stock, CatalogPublisher catalog, IEventPublisher events, ShopFaults faults) : IEventHandler<PaymentProcessed>
{
    public async Task HandleAsync(PaymentProcessed payment, EventContext context, CancellationToken cancellationToken)
    {
        // "The fix": once deployed, the currency is read without regard to case.
        var known = faults.InventoryFixed ? string.Equals(payment.Currency, "EUR", StringComparison.OrdinalIgnoreCase) : payment.Currency == "EUR";
        if (!known)
        {
            throw new UnsupportedCurrencyException(payment.Currency);
        }

        var reservation = stock.Reserve(payment.OrderId, payment.Lines);
        if (!reservation.Reserved)
        {
            await events.PublishAsync(new StockReservationFailed(payment.OrderId, reservation.ShortSku!, "out of stock"), cancellationToken);
            return;
        }

        await events.PublishAsync(new StockReserved(payment.OrderId), cancellationToken);
        await catalog.PublishStockAsync(reservation.Changed, cancellationToken);
    }
}
