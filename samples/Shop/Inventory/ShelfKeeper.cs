
namespace Shop.Inventory;

/// <summary>Publishes the catalog at start, restocks what runs low and changes a price now and then.</summary>
public sealed partial class ShelfKeeper(StockDatabase stock, CatalogPublisher catalog, ILogger<ShelfKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await catalog.PublishPricesAsync(stock.Items, stoppingToken);
        await catalog.PublishStockAsync(stock.Items, stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(3));
        var ticks = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await catalog.PublishStockAsync(stock.Restock(below: 50, amount: 200), stoppingToken);
                if (++ticks % 3 == 0)
                {
                    var items = stock.Items.Where(i => i.Restocked).ToList();
                    var item = items[ticks / 3 % items.Count];
                    var price = Math.Round(item.Price * (ticks / 3 % 2 == 0 ? 1.05m : 0.96m), 2);
                    await catalog.PublishPricesAsync([stock.Reprice(item.Sku, price)], stoppingToken);
                }
            }
            catch (DatabaseUnavailableException)
            {
                LogDatabaseDown(logger);
            }
            catch (Herald.Client.PublishException failure)
            {
                LogNotPublished(logger, failure); // the next tick publishes the state again
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "The shelves wait: the database is down.")]
    private static partial void LogDatabaseDown(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The catalog could not be published.")]
    private static partial void LogNotPublished(ILogger logger, Exception exception);
}
