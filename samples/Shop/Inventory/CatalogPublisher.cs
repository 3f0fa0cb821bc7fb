using Herald.Client;
using Shop.Contracts;

namespace Shop.Inventory;

/// <summary>
/// Publishes a product's full state after each change. Versions start from the clock, so they keep growing across
/// restarts and a consumer's copy never takes an older state for a newer one.
/// </summary>
public sealed class CatalogPublisher(IEventPublisher events)
{
    private long _version = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    public Task PublishPricesAsync(IEnumerable<StockItem> items, CancellationToken cancellationToken) =>
        events.PublishBatchAsync(items.Select(i => new ProductPriceChanged(i.Sku, i.Name, i.Price, Interlocked.Increment(ref _version))), cancellationToken: cancellationToken);

    public Task PublishStockAsync(IEnumerable<StockItem> items, CancellationToken cancellationToken) =>
        events.PublishBatchAsync(items.Select(i => new StockLevelChanged(i.Sku, i.Available, Interlocked.Increment(ref _version))), cancellationToken: cancellationToken);
}
