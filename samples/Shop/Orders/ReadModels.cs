using System.Collections.Immutable;
using Herald.EventSourcing;

namespace Shop.Orders;

/// <summary>One order as a customer's order list shows it.</summary>
public sealed record OrderSummary(string OrderId, string Status, decimal Total, DateTimeOffset PlacedAt);

/// <summary>CQRS read model: each customer's orders, projected from the order streams; queries never load an aggregate.</summary>
public sealed class OrdersByCustomerProjection : StateProjection<ImmutableDictionary<string, ImmutableDictionary<string, OrderSummary>>>
{
    public const string ProjectionName = "orders_by_customer";

    public override string Name => ProjectionName;

    public override EventFilter Filter => EventFilter.ForStreams("order-");

    public override ImmutableDictionary<string, ImmutableDictionary<string, OrderSummary>> Initial => ImmutableDictionary<string, ImmutableDictionary<string, OrderSummary>>.Empty;

    public IReadOnlyList<OrderSummary> For(string customerId) => State.TryGetValue(customerId, out var orders) ? [.. orders.Values.OrderBy(o => o.PlacedAt)] : [];

    public override ImmutableDictionary<string, ImmutableDictionary<string, OrderSummary>> Apply(ImmutableDictionary<string, ImmutableDictionary<string, OrderSummary>> state, ProjectedEvent projected)
    {
        var (customer, orderId, status) = projected.Event switch
        {
            Placed placed => (placed.CustomerId, placed.OrderId, "placed"),
            Paid paid => (paid.CustomerId, paid.OrderId, "paid"),
            Shipped shipped => (shipped.CustomerId, shipped.OrderId, "shipped"),
            Cancelled cancelled => (cancelled.CustomerId, cancelled.OrderId, "cancelled"),
            Refunded refunded => (refunded.CustomerId, refunded.OrderId, "refunded"),
            _ => (null, null, null),
        };
        if (customer is null || orderId is null)
        {
            return state;
        }

        var orders = state.GetValueOrDefault(customer) ?? ImmutableDictionary<string, OrderSummary>.Empty;
        var summary = projected.Event is Placed p
            ? new OrderSummary(orderId, status!, p.Total, projected.Recorded.Timestamp)
            : orders.TryGetValue(orderId, out var known) ? known with { Status = status! } : null;
        return summary is null ? state : state.SetItem(customer, orders.SetItem(orderId, summary));
    }
}

/// <summary>What the revenue dashboard shows for one hour.</summary>
public sealed record HourFigures(int Orders, decimal Revenue);

/// <summary>The revenue dashboard's figures.</summary>
public sealed record RevenueDashboard(int Placed, int Paid, int Shipped, int Cancelled, int RefundsDue, int Refunded, decimal Revenue, ImmutableSortedDictionary<string, HourFigures> ByHour)
{
    public static readonly RevenueDashboard Empty = new(0, 0, 0, 0, 0, 0, 0m, ImmutableSortedDictionary<string, HourFigures>.Empty);

    /// <summary>Orders still on their way: neither shipped nor cancelled, or cancelled with a refund not yet made.</summary>
    public int Open => Placed - Shipped - Cancelled + (RefundsDue - Refunded);
}

/// <summary>CQRS read model: revenue (payments less refunds) and orders, in all and per hour.</summary>
public sealed class RevenueDashboardProjection : StateProjection<RevenueDashboard>
{
    public const string ProjectionName = "revenue_dashboard";

    public override string Name => ProjectionName;

    public override EventFilter Filter => EventFilter.ForStreams("order-");

    public override RevenueDashboard Initial => RevenueDashboard.Empty;

    public override RevenueDashboard Apply(RevenueDashboard board, ProjectedEvent projected)
    {
        var hour = projected.Recorded.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:00", System.Globalization.CultureInfo.InvariantCulture);
        var figures = board.ByHour.GetValueOrDefault(hour) ?? new HourFigures(0, 0m);
        return projected.Event switch
        {
            Placed => board with { Placed = board.Placed + 1, ByHour = board.ByHour.SetItem(hour, figures with { Orders = figures.Orders + 1 }) },
            Paid paid => board with { Paid = board.Paid + 1, Revenue = board.Revenue + paid.Amount, ByHour = board.ByHour.SetItem(hour, figures with { Revenue = figures.Revenue + paid.Amount }) },
            Shipped => board with { Shipped = board.Shipped + 1 },
            Cancelled cancelled => board with { Cancelled = board.Cancelled + 1, RefundsDue = board.RefundsDue + (cancelled.RefundDue > 0 ? 1 : 0) },
            Refunded refunded => board with { Refunded = board.Refunded + 1, Revenue = board.Revenue - refunded.Amount, ByHour = board.ByHour.SetItem(hour, figures with { Revenue = figures.Revenue - refunded.Amount }) },
            _ => board,
        };
    }
}
