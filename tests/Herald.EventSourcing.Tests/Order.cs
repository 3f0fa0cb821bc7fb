using Herald.Client;

namespace Herald.EventSourcing.Tests;

[EventType("OrderPlaced")]
public sealed record OrderPlaced(string OrderId, decimal Total);

[EventType("OrderPaid")]
public sealed record OrderPaid(string OrderId, decimal Amount);

[EventType("OrderShipped")]
public sealed record OrderShipped(string OrderId);

[EventType("ItemAdded")]
public sealed record ItemAdded(string OrderId, string Sku);

public abstract record OrderCommand(string OrderId);

public sealed record PlaceOrder(string OrderId, decimal Total) : OrderCommand(OrderId);

public sealed record PayOrder(string OrderId, decimal Amount) : OrderCommand(OrderId);

public sealed record ShipOrder(string OrderId) : OrderCommand(OrderId);

public sealed record AddItem(string OrderId, string Sku) : OrderCommand(OrderId);

/// <summary>The guide's order as a decider: place, pay, ship, and items added while it is open.</summary>
public sealed record Order(string Status, decimal Total, decimal Paid, int Items)
{
    public static readonly Decider<Order, OrderCommand> Decider = new(new Order("none", 0, 0, 0), Decide, Evolve);

    private static IEnumerable<object> Decide(OrderCommand command, Order state) => command switch
    {
        PlaceOrder place when state.Status == "none" => [new OrderPlaced(place.OrderId, place.Total)],
        PlaceOrder => [], // placing twice is a no-op
        PayOrder pay when state.Status == "placed" => [new OrderPaid(pay.OrderId, pay.Amount)],
        ShipOrder ship when state.Status == "paid" => [new OrderShipped(ship.OrderId)],
        AddItem add when state.Status == "placed" => [new ItemAdded(add.OrderId, add.Sku)],
        _ => throw new InvalidOperationException($"{command.GetType().Name} is not allowed while the order is {state.Status}."),
    };

    private static Order Evolve(Order state, object @event) => @event switch
    {
        OrderPlaced placed => state with { Status = "placed", Total = placed.Total },
        OrderPaid paid => state with { Status = "paid", Paid = paid.Amount },
        OrderShipped => state with { Status = "shipped" },
        ItemAdded => state with { Items = state.Items + 1 },
        _ => state,
    };
}
