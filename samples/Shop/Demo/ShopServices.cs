using System.Net.Http.Json;
using Herald.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shop.Common;
using Shop.Email;
using Shop.Inventory;
using Shop.Orders;
using Shop.Payments;
using Shop.Users;

namespace Shop.Demo;

/// <summary>The shop's services, each its own web application with its own Herald registration, in this process.</summary>
internal sealed class ShopServices : IAsyncDisposable
{
    private readonly List<WebApplication> _started = [];

    private ShopServices(ShopSettings settings, DemoOptions options)
    {
        Settings = settings;
        Analytics = AnalyticsRunner.For(options, settings);
        EventStore = options.EventStore;
    }

    public ShopSettings Settings { get; }

    public AnalyticsRunner Analytics { get; }

    public (Herald.EventSourcing.IEventStore Store, string ProjectionDirectory)? EventStore { get; }

    public WebApplication Users { get; private set; } = null!;

    public WebApplication Orders { get; private set; } = null!;

    public WebApplication Payments { get; private set; } = null!;

    public WebApplication Inventory { get; private set; } = null!;

    public WebApplication Email { get; private set; } = null!;

    /// <summary>
    /// Starts Inventory first (it publishes the catalog), then the rest, and returns once the Order service's copy of
    /// the catalog is complete, so the first order can be priced.
    /// </summary>
    public static async Task<ShopServices> StartAsync(ShopSettings settings, DemoOptions options, CancellationToken cancellationToken)
    {
        var services = new ShopServices(settings, options);
        try
        {
            services.Inventory = await services.StartAsync(InventoryService.Build([], settings), cancellationToken);
            services.Users = await services.StartAsync(UsersService.Build([], settings), cancellationToken);
            services.Orders = await services.StartAsync(OrdersService.Build([], settings, options.EventStore), cancellationToken);
            services.Payments = await services.StartAsync(PaymentsService.Build([], settings), cancellationToken);
            services.Email = await services.StartAsync(EmailService.Build([], settings with { UsersUrl = services.Users.Address() }), cancellationToken);
            await services.Analytics.StartAsync(cancellationToken);
            await services.WaitForCatalogAsync(cancellationToken);
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Analytics.DisposeAsync();
        foreach (var app in Enumerable.Reverse(_started))
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    public HeraldConsumers ConsumersOf(WebApplication app) => app.Services.GetRequiredService<HeraldConsumers>();

    private async Task<WebApplication> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        _started.Add(app);
        await app.StartAsync(cancellationToken);
        return app;
    }

    private async Task WaitForCatalogAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Orders.Address() };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while ((await http.GetFromJsonAsync<List<Product>>("catalog", timeout.Token))!.Count(p => p.PriceVersion >= 0) < StockDatabase.Seed.Count)
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}
