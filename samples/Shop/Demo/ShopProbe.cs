using System.Net.Http.Json;
using Shop.Analytics;
using Shop.Common;
using Shop.Email;
using Shop.Orders;

namespace Shop.Demo;

/// <summary>What Inventory's <c>GET /stock</c> reports.</summary>
internal sealed record StockReport(int LowestLevel, int Reservations, IReadOnlyList<string> ReservedTwice);

/// <summary>
/// Reads the shop's state through the services' own HTTP endpoints, and flips their fault switches, the same whether
/// they run in this process or in processes of their own.
/// </summary>
internal sealed class ShopProbe(ShopServices services) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task<RevenueDashboard> DashboardAsync(CancellationToken cancellationToken) =>
        (await _http.GetFromJsonAsync<RevenueDashboard>(new Uri(services.Orders.Address, "dashboard"), cancellationToken))!;

    public async Task<MailSummary> MailAsync(CancellationToken cancellationToken) =>
        (await _http.GetFromJsonAsync<MailSummary>(new Uri(services.Email.Address, "emails"), cancellationToken))!;

    public async Task<StockReport> StockAsync(CancellationToken cancellationToken) =>
        (await _http.GetFromJsonAsync<StockReport>(new Uri(services.Inventory.Address, "stock"), cancellationToken))!;

    /// <summary>Analytics' totals, or null while it is down.</summary>
    public async Task<AnalyticsTotals?> AnalyticsAsync(CancellationToken cancellationToken)
    {
        if (services.Analytics.HasExited)
        {
            return null;
        }

        try
        {
            return await _http.GetFromJsonAsync<AnalyticsTotals>(new Uri(services.Analytics.Address, "analytics"), cancellationToken);
        }
        catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Every service's consumers, retries, dead letters and skipped duplicates (Analytics' while it is up).</summary>
    public async Task<IReadOnlyList<ShopHost.ServiceConsumers>> ConsumersAsync(CancellationToken cancellationToken)
    {
        var all = new List<ShopHost.ServiceConsumers>();
        foreach (var service in services.All.Where(s => !s.HasExited))
        {
            try
            {
                all.Add((await _http.GetFromJsonAsync<ShopHost.ServiceConsumers>(new Uri(service.Address, "consumers"), cancellationToken))!);
            }
            catch (HttpRequestException) when (service == services.Analytics)
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
            foreach (var (fault, count) in (await _http.GetFromJsonAsync<Dictionary<string, long>>(new Uri(service.Address, "faults/log"), cancellationToken))!)
            {
                total[fault] = total.GetValueOrDefault(fault) + count;
            }
        }

        return total;
    }

    /// <summary>Changes the switches on every service (in one process they share one switchboard, which is fine).</summary>
    public async Task SwitchAsync(Func<FaultSwitches, FaultSwitches> change, CancellationToken cancellationToken)
    {
        foreach (var service in services.All.Where(s => !s.HasExited))
        {
            var current = (await _http.GetFromJsonAsync<FaultSwitches>(new Uri(service.Address, "faults"), cancellationToken))!;
            using var response = await _http.PostAsJsonAsync(new Uri(service.Address, "faults"), change(current), cancellationToken);
            response.EnsureSuccessStatusCode();
        }
    }

    public void Dispose() => _http.Dispose();
}
