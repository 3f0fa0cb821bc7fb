using System.Net;
using System.Net.Http.Json;
using Shop.Inventory;
using Shop.Orders;
using Shop.Users;

namespace Shop.Demo;

/// <summary>
/// The customers: registers users and places orders at a steady rate through the services' HTTP APIs, as a web shop's
/// front end would. Its choices come from the seed, in one sequence, so a seed replays the same shopping.
/// </summary>
internal sealed class ShopTraffic(Uri users, Uri orders, int seed, double rate) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Random _random = new(seed);
    private readonly List<string> _customers = [];
    private readonly SemaphoreSlim _inFlight = new(64);
    private long _placed;
    private long _failed;

    public long Placed => Interlocked.Read(ref _placed);

    public long Failed => Interlocked.Read(ref _failed);

    public async Task RunAsync(CancellationToken stop)
    {
        for (var i = 0; i < 10; i++)
        {
            await RegisterAsync(stop);
        }

        var products = StockDatabase.Seed.Select(p => p.Sku).ToArray();
        var started = DateTimeOffset.UtcNow;
        var pending = new List<Task>();
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            var due = started + TimeSpan.FromSeconds(n / rate);
            if (due - DateTimeOffset.UtcNow is { Ticks: > 0 } wait)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            if (_random.NextDouble() < 0.1)
            {
                try
                {
                    await RegisterAsync(stop);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break; // the run ended during the registration
                }
                catch (HttpRequestException)
                {
                    // an overloaded User service: this order goes to a customer already registered
                }
            }

            var customer = _customers[_random.Next(_customers.Count)];
            var lines = Enumerable.Range(0, _random.Next(1, 4))
                .Select(_ => new NewOrderLine(_random.NextDouble() < 0.06 ? "limited" : products[_random.Next(products.Length - 1)], _random.Next(1, 4)))
                .ToList();
            await _inFlight.WaitAsync(CancellationToken.None);
            pending.Add(PlaceAsync(new NewOrder(customer, lines)));
            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var number = _customers.Count + 1;
        using var response = await _http.PostAsJsonAsync(new Uri(users, "users"), new NewUser($"Customer {number}", $"customer{number}@example.com"), cancellationToken);
        response.EnsureSuccessStatusCode();
        var user = await response.Content.ReadFromJsonAsync<User>(cancellationToken);
        _customers.Add(user!.Id);
    }

    private async Task PlaceAsync(NewOrder order)
    {
        try
        {
            using var response = await _http.PostAsJsonAsync(new Uri(orders, "orders"), order);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                Interlocked.Increment(ref _placed);
            }
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _failed);
        }
        catch (TaskCanceledException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _inFlight.Dispose();
    }
}
