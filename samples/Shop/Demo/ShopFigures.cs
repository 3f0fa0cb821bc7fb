using Shop.Analytics;
using Shop.Email;
using Shop.Orders;

namespace Shop.Demo;

/// <summary>What the services report at one moment, which the invariants are checked against.</summary>
internal sealed record ShopFigures(
    long OrdersAccepted,
    long OrdersUnanswered,
    int Users,
    RevenueDashboard Dashboard,
    MailSummary Mail,
    int LowestStock,
    IReadOnlyList<string> ReservedTwice,
    int Reservations,
    AnalyticsTotals? Analytics,
    int UnresolvedDeadLetters,
    int OutageDeadLetters)
{
    /// <summary>The invariants; <paramref name="final"/> turns what is still pending into a violation.</summary>
    public IReadOnlyList<Invariant> Check(bool final)
    {
        var board = Dashboard;
        var sent = Mail.Sent;
        List<Invariant> invariants =
        [
            Eventually(
                "orders_settled",
                "every order placed is paid or cancelled, and a paid order that was cancelled is refunded",
                board.Open == 0 && board.Placed >= OrdersAccepted && (OrdersUnanswered > 0 || board.Placed == OrdersAccepted),
                $"{board.Placed} placed ({OrdersAccepted} accepted), {board.Shipped} shipped, {board.Cancelled} cancelled, {board.Refunded}/{board.RefundsDue} refunds, {board.Open} open"),
            Safety(
                "emails_once",
                "every email is sent once: receipts and confirmations = orders paid, notices = orders shipped or cancelled, welcomes = users",
                Mail.Duplicates.Count == 0,
                sent["Receipt"] == board.Paid && sent["Confirmation"] == board.Paid && sent["Shipped"] == board.Shipped && sent["Cancelled"] == board.Cancelled && sent["Welcome"] == Users,
                Mail.Duplicates.Count > 0
                    ? $"sent twice: {string.Join(", ", Mail.Duplicates.Take(3))}"
                    : $"{sent["Confirmation"]} confirmations, {sent["Receipt"]} receipts for {board.Paid} paid; {sent["Shipped"]} shipped, {sent["Cancelled"]} cancelled, {sent["Welcome"]}/{Users} welcomes"),
            Safety(
                "stock_never_negative",
                "no product's stock ever goes below zero",
                LowestStock >= 0,
                true,
                $"lowest level seen {LowestStock}"),
            Safety(
                "reserved_once",
                "each shipped order's stock is reserved exactly once",
                ReservedTwice.Count == 0,
                Reservations == board.Shipped,
                ReservedTwice.Count > 0 ? $"reserved twice: {string.Join(", ", ReservedTwice.Take(3))}" : $"{Reservations} reservations, {board.Shipped} shipped"),
            Eventually(
                "analytics_match",
                "analytics counts every order once and its revenue matches the payments less refunds",
                Analytics is { } totals && totals.Orders == board.Placed && totals.Revenue == board.Revenue,
                Analytics is { } a ? $"analytics {a.Orders} orders, {a.Revenue:0.00} revenue; store {board.Placed} orders, {board.Revenue:0.00}" : "analytics not answering"),
            Safety(
                "dead_letters_handled",
                "the outage sends nothing to a dead-letter topic, and every dead letter is handled after the fix",
                OutageDeadLetters == 0,
                UnresolvedDeadLetters == 0,
                $"{UnresolvedDeadLetters} waiting, {OutageDeadLetters} from the outage"),
        ];
        return final ? [.. invariants.Select(i => i.State == InvariantState.Pending ? i with { State = InvariantState.Violated } : i)] : invariants;
    }

    private static Invariant Eventually(string name, string rule, bool holds, string detail) =>
        new(name, rule, holds ? InvariantState.Holds : InvariantState.Pending, detail);

    private static Invariant Safety(string name, string rule, bool safe, bool settled, string detail) =>
        new(name, rule, !safe ? InvariantState.Violated : settled ? InvariantState.Holds : InvariantState.Pending, detail);
}
