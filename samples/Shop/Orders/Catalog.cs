using System.Collections.Concurrent;
using Herald.Client;
using Shop.Contracts;

namespace Shop.Orders;

/// <summary>A product as the Order service knows it: Inventory's last word on its price and stock.</summary>
public sealed record Product(string Sku, string Name, decimal Price, long PriceVersion, int Available, long StockVersion);

/// <summary>
/// Event-carried state transfer: the Order service's own copy of Inventory's catalog, kept from ProductPriceChanged
/// and StockLevelChanged. Orders are priced from it, with no call to Inventory, so they go on while Inventory is down.
/// Each event is the whole state, so a newer version replaces the copy and an older one is dropped; a skipped version
/// loses nothing.
/// </summary>
public sealed class Catalog : IEventHandler<ProductPriceChanged>, IEventHandler<StockLevelChanged>
{
    private readonly ConcurrentDictionary<string, Product> _products = new();

    public IReadOnlyCollection<Product> Products => [.. _products.Values.OrderBy(p => p.Sku, StringComparer.Ordinal)];

    public Product? Find(string sku) => _products.GetValueOrDefault(sku);

    public Task HandleAsync(ProductPriceChanged changed, EventContext context, CancellationToken cancellationToken)
    {
        _products.AddOrUpdate(
            changed.Sku,
            _ => new Product(changed.Sku, changed.Name, changed.Price, changed.Version, 0, -1),
            (_, known) => changed.Version > known.PriceVersion ? known with { Name = changed.Name, Price = changed.Price, PriceVersion = changed.Version } : known);
        return Task.CompletedTask;
    }

    public Task HandleAsync(StockLevelChanged changed, EventContext context, CancellationToken cancellationToken)
    {
        _products.AddOrUpdate(
            changed.Sku,
            _ => new Product(changed.Sku, changed.Sku, 0, -1, changed.Available, changed.Version),
            (_, known) => changed.Version > known.StockVersion ? known with { Available = changed.Available, StockVersion = changed.Version } : known);
        return Task.CompletedTask;
    }
}
