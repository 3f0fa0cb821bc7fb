using System.Globalization;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Shop.Analytics;
using Shop.Common;
using Shop.Email;
using Shop.Inventory;
using Shop.Orders;
using Shop.Payments;
using Shop.Users;

namespace Shop.Demo;

/// <summary>The shop's six services, started in their order, each in this process or in a process of its own.</summary>
internal sealed class ShopServices : IAsyncDisposable
{
    private readonly List<RunningService> _started = [];

    public RunningService Users { get; private set; } = null!;

    public RunningService Orders { get; private set; } = null!;

    public RunningService Payments { get; private set; } = null!;

    public RunningService Inventory { get; private set; } = null!;

    public RunningService Email { get; private set; } = null!;

    public RunningService Analytics { get; private set; } = null!;

    public IReadOnlyList<RunningService> All => _started;

    /// <summary>
    /// Starts Inventory first (it publishes the catalog), then the rest, and returns once the Order service's copy of
    /// the catalog is complete, so the first order can be priced.
    /// </summary>
    public static async Task<ShopServices> StartAsync(ShopSettings settings, DemoOptions options, CancellationToken cancellationToken)
    {
        var services = new ShopServices();
        try
        {
            var all = options.Processes == ShopProcesses.All;
            services.Inventory = await services.StartAsync("Inventory", all, settings, () => InventoryService.Build([], settings), cancellationToken);
            services.Users = await services.StartAsync("Users", all, settings, () => UsersService.Build([], settings), cancellationToken);
            services.Orders = await services.StartAsync("Orders", all, settings, () => OrdersService.Build([], settings, options.EventStore), cancellationToken);
            services.Payments = await services.StartAsync("Payments", all, settings, () => PaymentsService.Build([], settings), cancellationToken);
            var email = settings with { UsersUrl = services.Users.Address };
            services.Email = await services.StartAsync("Email", all, email, () => EmailService.Build([], email), cancellationToken);
            services.Analytics = await services.StartAsync("Analytics", options.Processes != ShopProcesses.None, settings, () => AnalyticsService.Build([], settings), cancellationToken);
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
        foreach (var service in Enumerable.Reverse(_started))
        {
            await service.DisposeAsync();
        }
    }

    private async Task<RunningService> StartAsync(string name, bool ownProcess, ShopSettings settings, Func<WebApplication> build, CancellationToken cancellationToken)
    {
        RunningService service = ownProcess
            ? new RunningService.ChildProcess(name, ServiceProcess.Find(name) ?? throw new InvalidOperationException($"Shop.{name}.dll is not beside {AppContext.BaseDirectory}; run the service in this process instead."), Environment(settings))
            : new RunningService.InProcess(name, build);
        _started.Add(service);
        await service.StartAsync(cancellationToken);
        return service;
    }

    // The settings as a service's own program reads them (the Shop section of its configuration).
    private static Dictionary<string, string?> Environment(ShopSettings settings)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Shop__Kafka"] = settings.Kafka,
            ["Shop__DataDirectory"] = Path.GetFullPath(settings.DataDirectory),
            ["Shop__Listen"] = "http://127.0.0.1:0",
            ["Shop__UsersUrl"] = settings.UsersUrl.ToString(),
            ["Shop__Partitions"] = settings.Partitions.ToString(CultureInfo.InvariantCulture),
            ["Shop__DeclinedCards"] = settings.DeclinedCards.ToString(CultureInfo.InvariantCulture),
            ["Shop__Faults__Enabled"] = settings.Faults.Enabled ? "true" : "false",
            ["Shop__Faults__Seed"] = settings.Faults.Seed.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information", // its "Now listening on" line gives its address
        };
        foreach (var (key, value) in settings.Configuration)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return environment;
    }

    private async Task WaitForCatalogAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = Orders.Address };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while ((await http.GetFromJsonAsync<List<Product>>("catalog", timeout.Token))!.Count(p => p.PriceVersion >= 0) < StockDatabase.Seed.Count)
        {
            await Task.Delay(100, timeout.Token);
        }
    }
}
