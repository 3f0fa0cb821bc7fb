using System.Text.Json;
using Herald.EventSourcing;
using Shop.Contracts;

namespace Shop.Orders;

public sealed record NewOrderLine(string Sku, int Quantity);

public sealed record NewOrder(string CustomerId, IReadOnlyList<NewOrderLine> Lines);

/// <summary>The Order service's HTTP API: place orders, read one order and its history, and the read models.</summary>
internal static class OrdersApi
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/orders", PlaceAsync);
        app.MapGet("/orders/{id}", async (string id, CommandHandler<Order, OrderCommand> orders, CancellationToken cancellationToken) =>
            await orders.LoadAsync(Order.Stream(id), cancellationToken) is ({ } state, { } version)
                ? Results.Ok(new { orderId = id, status = state.Status.ToString(), state.CustomerId, state.Total, state.Paid, state.RefundDue, state.Refunded, version })
                : Results.NotFound());

        // Event sourcing made visible: the order's stream, event by event, with what caused each one.
        app.MapGet("/orders/{id}/history", async (string id, IEventStore store, CancellationToken cancellationToken) =>
        {
            var history = new List<object>();
            await foreach (var e in store.ReadStreamAsync(Order.Stream(id), Direction.Forwards, cancellationToken: cancellationToken))
            {
                history.Add(new { e.Version, e.Type, e.Timestamp, e.CorrelationId, e.CausationId, data = JsonDocument.Parse(e.Data).RootElement });
            }

            return history.Count == 0 ? Results.NotFound() : Results.Ok(history);
        });
        app.MapGet("/customers/{id}/orders", (string id, OrdersByCustomerProjection byCustomer) => byCustomer.For(id));
        app.MapGet("/dashboard", (RevenueDashboardProjection dashboard) => dashboard.State);
        app.MapGet("/projections", (ProjectionManager projections) => projections.All);
        app.MapPost("/projections/{name}/rebuild", async (string name, ProjectionManager projections, CancellationToken cancellationToken) =>
        {
            await projections.RequestRebuildAsync(name, cancellationToken);
            return Results.Accepted($"/projections");
        });
        app.MapGet("/catalog", (Catalog catalog) => catalog.Products);
    }

    // Priced from the local copy of the catalog: no call to Inventory, so orders go on while it is down.
    private static async Task<IResult> PlaceAsync(NewOrder order, Catalog catalog, CommandHandler<Order, OrderCommand> orders, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(order.CustomerId) || order.Lines is not { Count: > 0 and <= 20 } || order.Lines.Any(l => l.Quantity is < 1 or > 100))
        {
            return Results.Problem("An order needs a customer and 1 to 20 lines of 1 to 100 items each.", statusCode: 400);
        }

        var lines = new List<OrderLine>();
        foreach (var line in order.Lines)
        {
            if (catalog.Find(line.Sku) is not { PriceVersion: >= 0 } product)
            {
                return Results.Problem($"There is no product '{line.Sku}' in the catalog.", statusCode: 400);
            }

            lines.Add(new OrderLine(line.Sku, line.Quantity, product.Price));
        }

        var orderId = Guid.CreateVersion7().ToString(); // with its dashes, so nobody takes it for a trace id
        var placed = await orders.HandleAsync(Order.Stream(orderId), new PlaceOrder(orderId, order.CustomerId, lines), correlationId: orderId, cancellationToken);
        return Results.Created($"/orders/{orderId}", new { orderId, total = placed.State.Total, version = placed.Version });
    }
}
