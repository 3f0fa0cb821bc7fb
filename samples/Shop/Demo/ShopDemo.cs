using Herald.Client;
using Microsoft.Extensions.DependencyInjection;
using Shop.Common;
using Shop.Contracts;
using Shop.Email;
using Shop.Inventory;
using Shop.Orders;
using Shop.Payments;

namespace Shop.Demo;

/// <summary>
/// Runs the shop: starts its services, places orders at the chosen rate, injects the faults on a schedule, samples
/// every consumer's lag and the invariants each second, then stops the traffic, lets the shop settle and reports.
/// </summary>
public sealed class ShopDemo : IAsyncDisposable
{
    private static readonly (string Service, string Topic, string Group)[] Consumers =
    [
        ("Payment", Topics.Orders, PaymentsService.Group),
        ("Inventory", Topics.Payments, InventoryService.Group),
        ("Order saga", Topics.Payments, OrdersService.SagaGroup),
        ("Order saga", Topics.Inventory, OrdersService.SagaGroup),
        ("Order catalog", Topics.Catalog, OrdersService.CatalogGroup),
        ("Email", Topics.Users, EmailService.Group),
        ("Email", Topics.Payments, EmailService.Group),
        ("Email", Topics.Orders, EmailService.Group),
        ("Analytics", Topics.Orders, Analytics.AnalyticsService.Group),
    ];

    private readonly DemoOptions _options;
    private readonly ShopFaults _faults;
    private readonly ShopServices _services;
    private readonly ClientCounters _counters = new();
    private readonly List<DemoStep> _steps = [];
    private readonly List<string> _skipped = [];
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private long _redriven;
    private int _breakerOpenings;
    private BreakerState _lastBreaker;
    private (TimeSpan At, long Placed) _rateMark;
    private double _ordersPerSecond;

    private ShopDemo(DemoOptions options, ShopFaults faults, ShopServices services)
    {
        _options = options;
        _faults = faults;
        _services = services;
    }

    /// <summary>The Order service's address (place orders, read an order's history, the read models).</summary>
    public Uri OrdersAddress => _services.Orders.Address();

    /// <summary>The User service's address.</summary>
    public Uri UsersAddress => _services.Users.Address();

    /// <summary>Starts the services; the shop is ready for orders when this returns.</summary>
    public static async Task<ShopDemo> StartAsync(DemoOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var faults = new ShopFaults { Enabled = options.Faults, Seed = options.Seed };
        var services = await ShopServices.StartAsync(options.Settings(faults), options, cancellationToken);
        return new ShopDemo(options, faults, services);
    }

    /// <summary>
    /// Runs the traffic for <see cref="DemoOptions.Duration"/> with the faults on their schedule, then lets the shop
    /// settle and checks every invariant. Progress is reported about once a second.
    /// </summary>
    public async Task<DemoReport> RunAsync(IProgress<DemoSnapshot>? progress = null, CancellationToken cancellationToken = default)
    {
        _clock.Start();
        using var traffic = new ShopTraffic(_services.Users.Address(), _services.Orders.Address(), _options.Seed, _options.Rate);
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopTraffic.CancelAfter(_options.Duration);
        var running = traffic.RunAsync(stopTraffic.Token);
        var schedule = RunScheduleAsync(stopTraffic.Token);
        Step(_options.Faults ? "traffic starts; duplicates, late events and SMTP failures are on" : "traffic starts, with no faults");
        DemoSnapshot? last = null;
        while (!running.IsCompleted)
        {
            last = await SampleAsync("running", traffic, final: false, cancellationToken);
            progress?.Report(last);
            await Task.WhenAny(running, Task.Delay(1000, cancellationToken));
        }

        await running;
        await schedule;
        await SettleAsync(cancellationToken);
        Step("traffic stopped; the shop settles");
        var deadline = _clock.Elapsed + _options.DrainTimeout;
        while (_clock.Elapsed < deadline)
        {
            last = await SampleAsync("settling", traffic, final: false, cancellationToken);
            progress?.Report(last);
            if (last.Invariants.All(i => i.State == InvariantState.Holds))
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        last = await SampleAsync("done", traffic, final: true, cancellationToken);
        progress?.Report(last);
        return new DemoReport(_options.Seed, _options.Duration, _options.Rate, _options.Faults, last, _skipped);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _counters.Dispose();
    }

    // The faults, at fixed shares of the run, so a short run sees all of them too.
    private async Task RunScheduleAsync(CancellationToken stop)
    {
        var duration = _options.Duration;
        var outage = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, duration.Ticks / 4));
        List<(TimeSpan At, string What, Func<Task> Act)> plan = [];
        if (_options.Faults)
        {
            plan.Add((duration * 0.10, "poison: Payment publishes some currencies in lower case; Inventory dead-letters them", Switch(() => _faults.PoisonPayments = true)));
            plan.Add((duration * 0.25, $"Inventory's database goes down for {outage.TotalSeconds:0} s", Switch(() => _faults.InventoryDown = true)));
            plan.Add((duration * 0.25 + outage, "Inventory's database is back", Switch(() => _faults.InventoryDown = false)));
            plan.Add((duration * 0.40, "poison stops", Switch(() => _faults.PoisonPayments = false)));
            if (_services.Analytics.CanCrash)
            {
                plan.Add((duration * 0.45, "Analytics is killed with SIGKILL", Switch(_services.Analytics.Kill)));
                plan.Add((duration * 0.45 + TimeSpan.FromSeconds(2), "Analytics restarts", () => _services.Analytics.StartAsync(CancellationToken.None)));
            }
            else
            {
                _skipped.Add("crash: Analytics runs in this process, so it is not killed");
            }

            plan.Add((duration * 0.55, "the email provider throttles: Email falls behind", Switch(() => _faults.SlowEmail = true)));
            plan.Add((duration * 0.75, "the email provider is fast again: Email's lag drains", Switch(() => _faults.SlowEmail = false)));
            plan.Add((duration * 0.80, "the fix is deployed to Inventory; an operator redrives its dead letters", FixAndRedriveAsync));
        }

        plan.Add((duration * 0.85, "the orders-by-customer read model is rebuilt from the event store", () =>
            _services.Orders.Services.GetRequiredService<Herald.EventSourcing.ProjectionManager>().RequestRebuildAsync(OrdersByCustomerProjection.ProjectionName)));
        foreach (var (at, what, act) in plan.OrderBy(p => p.At))
        {
            if (at - _clock.Elapsed is { Ticks: > 0 } wait)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            Step(what);
            await act();
        }

        static Func<Task> Switch(Action act) => () =>
        {
            act();
            return Task.CompletedTask;
        };
    }

    // Whatever the schedule left switched on is switched off, and the fix and the redrive happen if they have not.
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        _faults.PoisonPayments = false;
        _faults.InventoryDown = false;
        _faults.SlowEmail = false;
        if (_options.Faults && !_faults.InventoryFixed)
        {
            Step("the fix is deployed to Inventory; an operator redrives its dead letters");
            await FixAndRedriveAsync();
        }

        if (_services.Analytics.CanCrash && await _services.Analytics.TotalsAsync(cancellationToken) is null)
        {
            await _services.Analytics.StartAsync(cancellationToken);
        }
    }

    private async Task FixAndRedriveAsync()
    {
        _faults.InventoryFixed = true;
        var queue = _services.Inventory.Services.GetRequiredService<DeadLetterQueue>();
        var redriven = await queue.RedriveAsync(DeadLetterQueue.TopicFor(Topics.Payments, InventoryService.Group), new DeadLetterFilter { ErrorType = nameof(UnsupportedCurrencyException) });
        Interlocked.Add(ref _redriven, redriven.Letters.Count);
        Step($"{redriven.Letters.Count} dead letters redriven");
    }

    private async Task<DemoSnapshot> SampleAsync(string phase, ShopTraffic traffic, bool final, CancellationToken cancellationToken)
    {
        var lag = _services.Orders.Services.GetRequiredService<GroupLagReader>();
        var consumers = new List<ConsumerLag>();
        foreach (var (service, topic, group) in Consumers)
        {
            consumers.Add(new ConsumerLag(service, topic, group, (await lag.ReadAsync(topic, group, cancellationToken)).Total));
        }

        var breaker = _services.ConsumersOf(_services.Inventory).All.TryGetValue($"{Topics.Payments}/{InventoryService.Group}", out var inventory) ? inventory.Breaker : BreakerState.Closed;
        if (breaker == BreakerState.Open && _lastBreaker != BreakerState.Open)
        {
            _breakerOpenings++;
            Step("Inventory's circuit breaker opens: payments wait in the log");
        }
        else if (breaker == BreakerState.Closed && _lastBreaker != BreakerState.Closed)
        {
            Step("Inventory's circuit breaker closes: reservations resume");
        }

        _lastBreaker = breaker;
        var (unresolved, outage) = await DeadLettersAsync(cancellationToken);
        var stock = _services.Inventory.Services.GetRequiredService<StockDatabase>();
        var figures = new ShopFigures(
            traffic.Placed,
            traffic.Failed,
            traffic.Users,
            _services.Orders.Services.GetRequiredService<RevenueDashboardProjection>().State,
            _services.Email.Services.GetRequiredService<MailOutbox>().Summary,
            stock.LowestLevel,
            stock.ReservedTwice,
            stock.Reservations,
            await _services.Analytics.TotalsAsync(cancellationToken),
            unresolved,
            outage);
        var now = _clock.Elapsed;
        if (now - _rateMark.At >= TimeSpan.FromSeconds(1))
        {
            _ordersPerSecond = phase == "running" ? (traffic.Placed - _rateMark.Placed) / (now - _rateMark.At).TotalSeconds : 0;
            _rateMark = (now, traffic.Placed);
        }

        var stats = _services.Payments.Services.GetRequiredService<PaymentStats>();
        lock (_steps)
        {
            return new DemoSnapshot(
                now,
                phase,
                traffic.Placed,
                _ordersPerSecond,
                traffic.Users,
                consumers,
                _counters.Retries,
                _counters.DeadLettered,
                Interlocked.Read(ref _redriven),
                Interlocked.Read(ref stats.DuplicatesSent),
                _counters.DuplicatesSkippedBy(InventoryService.Group) + _counters.DuplicatesSkippedBy(EmailService.Group),
                breaker,
                _breakerOpenings,
                [.. _steps],
                figures.Check(final));
        }
    }

    private async Task<(int Unresolved, int FromOutage)> DeadLettersAsync(CancellationToken cancellationToken)
    {
        var queue = _services.Inventory.Services.GetRequiredService<DeadLetterQueue>();
        var unresolved = 0;
        var outage = 0;
        foreach (var (_, topic, group) in Consumers)
        {
            var letters = await queue.ListAsync(DeadLetterQueue.TopicFor(topic, group), cancellationToken: cancellationToken);
            unresolved += letters.Count;
            outage += letters.Count(l => l.ExceptionType.EndsWith(nameof(DatabaseUnavailableException), StringComparison.Ordinal));
        }

        return (unresolved, outage);
    }

    private void Step(string what)
    {
        lock (_steps)
        {
            _steps.Add(new DemoStep(_clock.Elapsed, what));
        }
    }
}
