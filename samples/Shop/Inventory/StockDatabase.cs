using Shop.Common;
using Shop.Contracts;

namespace Shop.Inventory;

/// <summary>A product's row in Inventory's database.</summary>
public sealed record StockItem(string Sku, string Name, decimal Price, int Available, bool Restocked);

/// <summary>What a reservation did.</summary>
public sealed record Reservation(bool Reserved, string? ShortSku, IReadOnlyList<StockItem> Changed);

/// <summary>Inventory's database refused a call (the "down" fault): a transient failure, worth waiting out.</summary>
public sealed class DatabaseUnavailableException() : Exception("Inventory's database is not answering.");

/// <summary>
/// Inventory's database, in memory. It can be "down" (every call throws), and it keeps the evidence the demo checks:
/// the lowest stock level ever seen, and how many times each order was reserved.
/// </summary>
public sealed class StockDatabase
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StockItem> _items = [];
    private readonly Dictionary<string, int> _reservationsByOrder = [];
    private readonly ShopFaults _faults;
    private int _lowest = int.MaxValue;

    public StockDatabase(ShopFaults faults)
    {
        _faults = faults;
        foreach (var item in Seed)
        {
            _items[item.Sku] = item;
        }
    }

    /// <summary>The products the shop starts with: plenty of most, and a limited edition that sells out for good.</summary>
    public static IReadOnlyList<StockItem> Seed { get; } =
    [
        new("mug", "Herald mug", 12.50m, 400, true),
        new("tshirt", "Herald T-shirt", 24.00m, 400, true),
        new("hoodie", "Herald hoodie", 49.90m, 300, true),
        new("stickers", "Sticker pack", 4.00m, 800, true),
        new("poster", "Event-driven poster", 15.00m, 300, true),
        new("book", "The log book", 39.00m, 200, true),
        new("limited", "Limited-edition print", 99.00m, 25, false),
    ];

    public IReadOnlyList<StockItem> Items
    {
        get
        {
            lock (_lock)
            {
                return [.. _items.Values.OrderBy(i => i.Sku, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The lowest stock level any product ever had; negative would be a bug.</summary>
    public int LowestLevel
    {
        get
        {
            lock (_lock)
            {
                return _lowest == int.MaxValue ? 0 : _lowest;
            }
        }
    }

    /// <summary>Orders reserved more than once: a duplicate that got through.</summary>
    public IReadOnlyList<string> ReservedTwice
    {
        get
        {
            lock (_lock)
            {
                return [.. _reservationsByOrder.Where(r => r.Value > 1).Select(r => r.Key)];
            }
        }
    }

    public int Reservations
    {
        get
        {
            lock (_lock)
            {
                return _reservationsByOrder.Count;
            }
        }
    }

    /// <summary>Takes every line of the order from stock, or none when one of them is short.</summary>
    public Reservation Reserve(string orderId, IReadOnlyList<OrderLine> lines)
    {
        ThrowIfDown();
        lock (_lock)
        {
            foreach (var line in lines.GroupBy(l => l.Sku))
            {
                if (!_items.TryGetValue(line.Key, out var item) || item.Available < line.Sum(l => l.Quantity))
                {
                    return new Reservation(false, line.Key, []);
                }
            }

            var changed = new List<StockItem>();
            foreach (var line in lines.GroupBy(l => l.Sku))
            {
                var item = _items[line.Key] with { Available = _items[line.Key].Available - line.Sum(l => l.Quantity) };
                _items[line.Key] = item;
                _lowest = Math.Min(_lowest, item.Available);
                changed.Add(item);
            }

            _reservationsByOrder[orderId] = _reservationsByOrder.GetValueOrDefault(orderId) + 1;
            return new Reservation(true, null, changed);
        }
    }

    /// <summary>Fills the shelves of products that are running low (not the limited edition).</summary>
    public IReadOnlyList<StockItem> Restock(int below, int amount)
    {
        ThrowIfDown();
        lock (_lock)
        {
            var changed = _items.Values.Where(i => i.Restocked && i.Available < below).Select(i => i with { Available = i.Available + amount }).ToList();
            changed.ForEach(i => _items[i.Sku] = i);
            return changed;
        }
    }

    /// <summary>Sets a new price.</summary>
    public StockItem Reprice(string sku, decimal price)
    {
        ThrowIfDown();
        lock (_lock)
        {
            return _items[sku] = _items[sku] with { Price = price };
        }
    }

    private void ThrowIfDown()
    {
        if (_faults.InventoryDown)
        {
            throw new DatabaseUnavailableException();
        }
    }
}
