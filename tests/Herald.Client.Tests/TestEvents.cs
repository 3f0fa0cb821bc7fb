namespace Herald.Client.Tests;

[EventType("OrderPlaced")]
public sealed record OrderPlaced([property: EventKey] string OrderId, int Sequence, decimal Total);

[EventType("PaymentProcessed")]
public sealed record PaymentProcessed([property: EventKey] string OrderId, decimal Amount);

/// <summary>What handlers saw, and how the test wants them to behave.</summary>
public sealed class Recorder
{
    private readonly Lock _gate = new();
    private int _running;

    public List<(OrderPlaced Event, EventContext Context, string? TraceId)> Handled { get; } = [];

    public List<(OrderPlaced Event, int Attempt)> Attempts { get; } = [];

    public int MostAtOnce { get; private set; }

    /// <summary>Throws for events it matches (every attempt).</summary>
    public Func<OrderPlaced, Exception?> Fail { get; set; } = _ => null;

    /// <summary>Runs before recording; may wait.</summary>
    public Func<OrderPlaced, CancellationToken, Task> Before { get; set; } = (_, _) => Task.CompletedTask;

    public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task RecordAsync(OrderPlaced @event, EventContext context, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Attempts.Add((@event, context.Attempt));
            MostAtOnce = Math.Max(MostAtOnce, ++_running);
        }

        try
        {
            await Before(@event, cancellationToken);
            if (Fail(@event) is { } failure)
            {
                throw failure;
            }

            lock (_gate)
            {
                Handled.Add((@event, context, System.Diagnostics.Activity.Current?.TraceId.ToString()));
            }
        }
        finally
        {
            lock (_gate)
            {
                _running--;
            }

            Changed.TrySetResult();
        }
    }

    public List<(OrderPlaced Event, EventContext Context, string? TraceId)> Snapshot()
    {
        lock (_gate)
        {
            return [.. Handled];
        }
    }

    /// <summary>Waits until <paramref name="done"/> holds of the handled events.</summary>
    public async Task WaitUntilAsync(Func<List<(OrderPlaced Event, EventContext Context, string? TraceId)>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!done(Snapshot()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out; handled {Snapshot().Count} events.");
            await Task.Delay(20);
        }
    }
}

public sealed class OrderHandler(Recorder recorder) : IEventHandler<OrderPlaced>
{
    public Task HandleAsync(OrderPlaced @event, EventContext context, CancellationToken cancellationToken) => recorder.RecordAsync(@event, context, cancellationToken);
}

[EventType("StockChanged")]
public sealed record StockChanged([property: EventKey] string Sku, long Version, int Quantity);

/// <summary>A read model kept per SKU with its version, updated only in order.</summary>
public sealed class StockView
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Version, int Quantity)> _rows = [];

    public (long Version, int Quantity) Get(string sku)
    {
        lock (_gate)
        {
            return _rows.GetValueOrDefault(sku);
        }
    }

    public void Set(string sku, long version, int quantity)
    {
        lock (_gate)
        {
            _rows[sku] = (version, quantity);
        }
    }
}

public sealed class StockHandler(StockView view) : IEventHandler<StockChanged>
{
    public Task HandleAsync(StockChanged change, EventContext context, CancellationToken cancellationToken)
    {
        var (version, _) = view.Get(change.Sku);
        if (EventVersion.Check(version, change.Version))
        {
            view.Set(change.Sku, change.Version, change.Quantity);
        }

        return Task.CompletedTask;
    }
}

[EventType("CustomerRegistered", Version = 2)]
public sealed record CustomerRegistered([property: EventKey] string CustomerId, string FullName);

public sealed class CustomerHandler(System.Collections.Concurrent.ConcurrentQueue<CustomerRegistered> seen) : IEventHandler<CustomerRegistered>
{
    public Task HandleAsync(CustomerRegistered customer, EventContext context, CancellationToken cancellationToken)
    {
        seen.Enqueue(customer);
        return Task.CompletedTask;
    }
}
