using System.Net.Http.Json;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Shop.Analytics;
using Shop.Common;
using Shop.Email;
using Shop.Orders;

namespace Shop.Demo;

/// <summary>What the User service's <c>GET /users</c> reports.</summary>
internal sealed record UserCount(int Count);

/// <summary>What Inventory's <c>GET /stock</c> reports.</summary>
internal sealed record StockReport(int LowestLevel, int Reservations, IReadOnlyList<string> ReservedTwice);

/// <summary>
/// Reads the shop's state through the services' own HTTP endpoints, and flips their fault switches, the same whether
/// they run in this process or in processes of their own.
/// </summary>
internal sealed class ShopProbe(ShopServices services) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan }; // the pipeline times each attempt

    // A service busy with a burst (or a machine busy with a test suite) may answer late: a few tries, each bounded.
    private readonly ResiliencePipeline _calls = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
        })
        .AddTimeout(TimeSpan.FromSeconds(5))
        .Build();

    public Task<RevenueDashboard> DashboardAsync(CancellationToken cancellationToken) => GetAsync<RevenueDashboard>(services.Orders, "dashboard", cancellationToken);

    public Task<MailSummary> MailAsync(CancellationToken cancellationToken) => GetAsync<MailSummary>(services.Email, "emails", cancellationToken);

    public Task<StockReport> StockAsync(CancellationToken cancellationToken) => GetAsync<StockReport>(services.Inventory, "stock", cancellationToken);

    /// <summary>How many users the User service has registered (what the welcomes are counted against).</summary>
    public async Task<int> UsersAsync(CancellationToken cancellationToken) => (await GetAsync<UserCount>(services.Users, "users", cancellationToken)).Count;

    /// <summary>Analytics' totals, or null while it is down.</summary>
    public async Task<AnalyticsTotals?> AnalyticsAsync(CancellationToken cancellationToken)
    {
        if (!services.Analytics.IsUp)
        {
            return null;
        }

        try
        {
            return await GetAsync<AnalyticsTotals>(services.Analytics, "analytics", cancellationToken);
        }
        catch (Exception failure) when (failure is HttpRequestException or TimeoutRejectedException)
        {
            return null; // killed a moment ago
        }
    }

    /// <summary>Every service's consumers, retries, dead letters and skipped duplicates (Analytics' while it is up).</summary>
    public async Task<IReadOnlyList<ShopHost.ServiceConsumers>> ConsumersAsync(CancellationToken cancellationToken)
    {
        var all = new List<ShopHost.ServiceConsumers>();
        foreach (var service in services.All.Where(s => s.IsUp))
        {
            try
            {
                all.Add(await GetAsync<ShopHost.ServiceConsumers>(service, "consumers", cancellationToken));
            }
            catch (Exception failure) when (failure is HttpRequestException or TimeoutRejectedException && service.CanKill)
            {
                // killed a moment ago
            }
        }

        return all;
    }

    /// <summary>How often each fault struck, summed over the services.</summary>
    public async Task<IReadOnlyDictionary<string, long>> FaultLogAsync(CancellationToken cancellationToken)
    {
        var total = new Dictionary<string, long>();
        foreach (var service in new[] { services.Orders, services.Payments, services.Email })
        {
            foreach (var (fault, count) in await GetAsync<Dictionary<string, long>>(service, "faults/log", cancellationToken))
            {
                total[fault] = total.GetValueOrDefault(fault) + count;
            }
        }

        return total;
    }

    /// <summary>
    /// Changes the switches on every service that is up (in one process they share one switchboard, which is fine; a
    /// service that restarts reads them from its configuration, and none of the switches concerns Analytics).
    /// </summary>
    public async Task SwitchAsync(Func<FaultSwitches, FaultSwitches> change, CancellationToken cancellationToken)
    {
        foreach (var service in services.All.Where(s => s.IsUp))
        {
            var current = await GetAsync<FaultSwitches>(service, "faults", cancellationToken);
            await _calls.ExecuteAsync(
                async token =>
                {
                    using var response = await _http.PostAsJsonAsync(new Uri(service.Address, "faults"), change(current), token);
                    response.EnsureSuccessStatusCode();
                },
                cancellationToken);
        }
    }

    private Task<T> GetAsync<T>(RunningService service, string path, CancellationToken cancellationToken) =>
        _calls.ExecuteAsync(async token => (await _http.GetFromJsonAsync<T>(new Uri(service.Address, path), token))!, cancellationToken).AsTask();

    public void Dispose() => _http.Dispose();
}
