using Herald.Client;
using Shop.Common;
using Shop.Contracts;

namespace Shop.Email;

/// <summary>
/// Email: welcomes new users, sends payment receipts, order confirmations, shipping and cancellation notices. It reads
/// three topics and knows none of their producers.
/// </summary>
public static class EmailService
{
    public const string Group = "email";

    public static WebApplication Build(string[] args, ShopSettings? settings = null)
    {
        var (builder, shop) = ShopHost.CreateBuilder("email", args, settings);
        builder.Services.AddHttpClient<UserDirectoryClient>(client => client.BaseAddress = shop.UsersUrl);
        builder.Services.AddSingleton<MailOutbox>();
        builder.Services.AddSingleton<AddressBook>();
        builder.Services.AddSingleton<SmtpStub>();
        builder.Services.AddSingleton<OrderMailState>();
        builder.Services.AddHerald(herald => herald
            .UseShopTransport(shop)
            .AddConsumer<WelcomeMailer>(Topics.Users, Group, Mailer)
            .AddConsumer<ReceiptMailer>(Topics.Payments, Group, Mailer)
            .AddConsumer<OrderMailer>(Topics.Orders, Group, Mailer));

        var app = builder.Build();
        app.MapShopBasics();
        app.MapGet("/emails", (MailOutbox outbox) => outbox.Summary);
        return app;
    }

    private static void Mailer(ConsumerOptions consumer)
    {
        consumer.MaxConcurrency = 8;

        // SMTP hiccups pass within a few quick tries. An order event that overtook its predecessor waits in the
        // delayed tiers, so the partition goes on and brings the predecessor in.
        consumer.Retries = 3;
        consumer.RetryDelay = TimeSpan.FromMilliseconds(100);
        consumer.DelayedRetries.AddRange([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15)]);
    }
}

/// <summary>Event notification: UserRegistered has only the id, so the address comes from the User service.</summary>
public sealed class WelcomeMailer(UserDirectoryClient users, SmtpStub smtp) : IEventHandler<UserRegistered>
{
    public async Task HandleAsync(UserRegistered registered, EventContext context, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(registered.UserId, cancellationToken);
        await smtp.SendAsync(new Mail(MailKind.Welcome, registered.UserId, user.Email, $"Welcome, {user.Name}"), context, cancellationToken);
    }
}

/// <summary>
/// One receipt per payment. Payment publishes some payments twice; the consumer skips the second copy of an event id,
/// so nobody gets two receipts.
/// </summary>
public sealed class ReceiptMailer(UserDirectoryClient users, SmtpStub smtp) : IEventHandler<PaymentProcessed>
{
    public async Task HandleAsync(PaymentProcessed payment, EventContext context, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(payment.CustomerId, cancellationToken);
        await smtp.SendAsync(new Mail(MailKind.Receipt, payment.OrderId, user.Email, $"Receipt: {payment.Amount} EUR"), context, cancellationToken);
    }
}

/// <summary>
/// The order's notices, in the order's own order: each event carries the order's version, and one that arrives before
/// its predecessor (a late OrderPaid) is held back by <see cref="EventVersion.Check"/> until the predecessor is in.
/// </summary>
public sealed class OrderMailer(UserDirectoryClient users, SmtpStub smtp, OrderMailState orders)
    : IEventHandler<OrderPlaced>, IEventHandler<OrderPaid>, IEventHandler<OrderShipped>, IEventHandler<OrderCancelled>, IEventHandler<OrderRefunded>
{
    public Task HandleAsync(OrderPlaced placed, EventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(placed.OrderId, placed.Version, null, cancellationToken);

    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(paid.OrderId, paid.Version, () => MailAsync(MailKind.Confirmation, paid.OrderId, paid.CustomerId, "Your order is confirmed", context, cancellationToken), cancellationToken);

    public Task HandleAsync(OrderShipped shipped, EventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(shipped.OrderId, shipped.Version, () => MailAsync(MailKind.Shipped, shipped.OrderId, shipped.CustomerId, "Your order is on its way", context, cancellationToken), cancellationToken);

    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(cancelled.OrderId, cancelled.Version, () => MailAsync(MailKind.Cancelled, cancelled.OrderId, cancelled.CustomerId, $"Your order was cancelled: {cancelled.Reason}", context, cancellationToken), cancellationToken);

    public Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken) =>
        ApplyAsync(refunded.OrderId, refunded.Version, null, cancellationToken);

    private async Task ApplyAsync(string orderId, long version, Func<Task>? mail, CancellationToken cancellationToken)
    {
        if (!EventVersion.Check(orders.Applied(orderId), version))
        {
            return; // seen before
        }

        if (mail is not null)
        {
            await mail();
        }

        orders.Advance(orderId, version);
    }

    private async Task MailAsync(MailKind kind, string orderId, string customerId, string subject, EventContext context, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(customerId, cancellationToken);
        await smtp.SendAsync(new Mail(kind, orderId, user.Email, subject), context, cancellationToken);
    }
}
