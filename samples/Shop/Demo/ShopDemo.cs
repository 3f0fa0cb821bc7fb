using Herald.Client;
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
    private readonly ShopServices _services;
    private readonly ShopOperator _operator;
    private readonly ShopProbe _probe;
    private readonly List<DemoStep> _steps = [];
    private readonly List<string> _skipped = [];
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private long _redriven;
    private bool _fixed;
    private int _breakerOpenings;
    private BreakerState _lastBreaker;
    private (TimeSpan At, long Placed) _rateMark;
    private (TimeSpan At, int Unresolved, int FromOutage)? _deadLetters;
    private double _ordersPerSecond;

    private ShopDemo(DemoOptions options, ShopServices services, ShopOperator @operator)
    {
        _options = options;
        _services = services;
        _operator = @operator;
        _probe = new ShopProbe(services);
    }

    /// <summary>Starts the services; the shop is ready for orders when this returns.</summary>
    public static async Task<ShopDemo> StartAsync(DemoOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = options.Settings(new ShopFaults { Enabled = options.Faults, Seed = options.Seed });
        var services = await ShopServices.StartAsync(settings, options, cancellationToken);
        try
        {
            return new ShopDemo(options, services, await ShopOperator.StartAsync(settings, cancellationToken));
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs the traffic for <see cref="DemoOptions.Duration"/> with the faults on their schedule, then lets the shop
    /// settle and checks every invariant. Progress is reported about once a second.
    /// </summary>
    public async Task<DemoReport> RunAsync(IProgress<DemoSnapshot>? progress = null, CancellationToken cancellationToken = default)
    {
        _clock.Start();
        using var traffic = new ShopTraffic(_services.Users.Address, _services.Orders.Address, _options.Seed, _options.Rate);
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stopTraffic.CancelAfter(_options.Duration);
        var running = traffic.RunAsync(stopTraffic.Token);
        var schedule = RunScheduleAsync(stopTraffic.Token);
        Step(_options.Faults ? "traffic starts; duplicates, late events and SMTP failures are on" : "traffic starts, with no faults");
        DemoSnapshot last;
        while (!running.IsCompleted)
        {
            var sample = await SampleAsync("running", traffic, final: false, cancellationToken); // sampled even with no one to tell: it watches the breaker
            progress?.Report(sample);
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
            // All held, or one is broken for good (a safety rule: what was sent twice stays sent).
            if (last.Invariants.All(i => i.State == InvariantState.Holds) || last.Invariants.Any(i => i.State == InvariantState.Violated))
            {
                break;
            }

            await Task.Delay(500, cancellationToken);
        }

        if (_clock.Elapsed >= deadline)
        {
            Step($"the shop did not settle within {_options.DrainTimeout.TotalSeconds:0} s of the traffic's end");
        }

        last = await SampleAsync("done", traffic, final: true, cancellationToken);
        progress?.Report(last);
        return new DemoReport(_options.Seed, _options.Duration, _options.Rate, _options.Faults, last, _skipped);
    }

    public async ValueTask DisposeAsync()
    {
        _probe.Dispose();
        await _operator.DisposeAsync();
        await _services.DisposeAsync();
    }

    // The faults, at fixed shares of the run, so a short run sees all of them too.
    private async Task RunScheduleAsync(CancellationToken stop)
    {
        var duration = _options.Duration;
        var outage = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, duration.Ticks / 4));
        List<(TimeSpan At, string What, Func<Task> Act)> plan = [];
        if (_options.Faults)
        {
            plan.Add((duration * 0.10, "poison: Payment publishes some currencies in lower case; Inventory dead-letters them", () => SwitchAsync(s => s with { PoisonPayments = true })));
            plan.Add((duration * 0.25, $"Inventory's database goes down for {outage.TotalSeconds:0} s", () => SwitchAsync(s => s with { InventoryDown = true })));
            plan.Add((duration * 0.25 + outage, "Inventory's database is back", () => SwitchAsync(s => s with { InventoryDown = false })));
            plan.Add((duration * 0.40, "poison stops", () => SwitchAsync(s => s with { PoisonPayments = false })));
            if (_services.Analytics.CanKill)
            {
                plan.Add((duration * 0.45, "Analytics is killed with SIGKILL", () =>
                {
                    _services.Analytics.Kill();
                    return Task.CompletedTask;
                }));
                plan.Add((duration * 0.45 + TimeSpan.FromSeconds(2), "Analytics restarts", () => _services.Analytics.StartAsync(CancellationToken.None)));
            }
            else
            {
                _skipped.Add("the crash: Analytics runs in this process, so it is not killed");
            }

            plan.Add((duration * 0.55, "the email provider throttles: Email falls behind", () => SwitchAsync(s => s with { SlowEmail = true })));
            plan.Add((duration * 0.75, "the email provider is fast again: Email's lag drains", () => SwitchAsync(s => s with { SlowEmail = false })));
            plan.Add((duration * 0.80, "the fix is deployed to Inventory; an operator redrives its dead letters", FixAndRedriveAsync));
        }

        plan.Add((duration * 0.85, "the orders-by-customer read model is rebuilt from the event store", RebuildAsync));
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
    }

    private Task SwitchAsync(Func<FaultSwitches, FaultSwitches> change) => _probe.SwitchAsync(change, CancellationToken.None);

    private async Task RebuildAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(_services.Orders.Address, $"projections/{OrdersByCustomerProjection.ProjectionName}/rebuild"), null);
        response.EnsureSuccessStatusCode();
    }

    // Whatever the schedule left switched on is switched off, the fix and the redrive happen if they have not, and a
    // killed Analytics is started again.
    private async Task SettleAsync(CancellationToken cancellationToken)
    {
        if (_services.Analytics.HasExited)
        {
            Step("Analytics restarts");
            await _services.Analytics.StartAsync(cancellationToken);
        }

        await SwitchAsync(s => s with { PoisonPayments = false, InventoryDown = false, SlowEmail = false });
        if (_options.Faults && !_fixed)
        {
            Step("the fix is deployed to Inventory; an operator redrives its dead letters");
            await FixAndRedriveAsync();
        }
    }

    private async Task FixAndRedriveAsync()
    {
        _fixed = true;
        await SwitchAsync(s => s with { InventoryFixed = true });
        var redriven = await _operator.DeadLetters.RedriveAsync(DeadLetterQueue.TopicFor(Topics.Payments, InventoryService.Group), new DeadLetterFilter { ErrorType = nameof(UnsupportedCurrencyException) });
        Interlocked.Add(ref _redriven, redriven.Letters.Count);
        Step($"{redriven.Letters.Count} dead letters redriven");
    }

    private async Task<DemoSnapshot> SampleAsync(string phase, ShopTraffic traffic, bool final, CancellationToken cancellationToken)
    {
        var consumers = new List<ConsumerLag>();
        foreach (var (service, topic, group) in Consumers)
        {
            consumers.Add(new ConsumerLag(service, topic, group, (await _operator.Lag.ReadAsync(topic, group, cancellationToken)).Total));
        }

        var services = await _probe.ConsumersAsync(cancellationToken);
        var breaker = services.SelectMany(s => s.Consumers).FirstOrDefault(c => c.Name == $"{Topics.Payments}/{InventoryService.Group}")?.Breaker ?? BreakerState.Closed;
        if (breaker != BreakerState.Closed && _lastBreaker == BreakerState.Closed)
        {
            _breakerOpenings++;
            Step("Inventory's circuit breaker opens: payments wait in the log");
        }
        else if (breaker == BreakerState.Closed && _lastBreaker != BreakerState.Closed)
        {
            Step("Inventory's circuit breaker closes: reservations resume");
        }

        _lastBreaker = breaker;
        var (unresolved, outage) = await DeadLettersAsync(fresh: final, cancellationToken);
        var stock = await _probe.StockAsync(cancellationToken);
        var figures = new ShopFigures(
            traffic.Placed,
            traffic.Failed,
            await _probe.UsersAsync(cancellationToken),
            await _probe.DashboardAsync(cancellationToken),
            await _probe.MailAsync(cancellationToken),
            stock.LowestLevel,
            stock.ReservedTwice,
            stock.Reservations,
            await _probe.AnalyticsAsync(cancellationToken),
            unresolved,
            outage);
        var now = _clock.Elapsed;
        if (now - _rateMark.At >= TimeSpan.FromSeconds(1))
        {
            _ordersPerSecond = phase == "running" ? (traffic.Placed - _rateMark.Placed) / (now - _rateMark.At).TotalSeconds : 0;
            _rateMark = (now, traffic.Placed);
        }

        var struck = await _probe.FaultLogAsync(cancellationToken);
        lock (_steps)
        {
            return new DemoSnapshot(
                now,
                phase,
                traffic.Placed,
                _ordersPerSecond,
                figures.Users,
                consumers,
                services.Sum(s => s.Retries),
                services.Sum(s => s.DeadLettered),
                Interlocked.Read(ref _redriven),
                struck,
                services.Sum(s => s.DuplicatesSkipped),
                breaker,
                _breakerOpenings,
                [.. _steps],
                figures.Check(final));
        }
    }

    // Listing reads every dead-letter topic whole, which over Kafka takes a while: at most every 5 s, and at the end.
    private async Task<(int Unresolved, int FromOutage)> DeadLettersAsync(bool fresh, CancellationToken cancellationToken)
    {
        if (!fresh && _deadLetters is { } known && _clock.Elapsed - known.At < TimeSpan.FromSeconds(5))
        {
            return (known.Unresolved, known.FromOutage);
        }

        var unresolved = 0;
        var outage = 0;
        foreach (var (topic, group) in Consumers.Select(c => (c.Topic, c.Group)).Distinct())
        {
            var letters = await _operator.DeadLetters.ListAsync(DeadLetterQueue.TopicFor(topic, group), cancellationToken: cancellationToken);
            unresolved += letters.Count;
            outage += letters.Count(l => l.ExceptionType.EndsWith(nameof(DatabaseUnavailableException), StringComparison.Ordinal));
        }

        _deadLetters = (_clock.Elapsed, unresolved, outage);
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
