using System.Collections.Concurrent;
using Herald.Client;
using Shop.Common;

namespace Shop.Email;

public enum MailKind
{
    Welcome,
    Receipt,
    Confirmation,
    Shipped,
    Cancelled,
}

/// <summary>One email, about one user or order.</summary>
public sealed record Mail(MailKind Kind, string About, string To, string Subject);

/// <summary>The mail server refused for now; the next try may pass.</summary>
public sealed class SmtpTransientException(string about) : Exception($"421 Service not available, try again later ({about}).");

/// <summary>
/// Stands in for an SMTP server. With the fault on, the first two tries of some emails fail with a transient error,
/// and a throttled provider takes a second per email.
/// </summary>
public sealed class SmtpStub(MailOutbox outbox, ShopFaults faults, FaultLog log)
{
    public async Task SendAsync(Mail mail, EventContext context, CancellationToken cancellationToken)
    {
        if (faults.SlowEmail)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        if (context.Attempt <= 2 && faults.Hits("smtp", $"{mail.Kind}/{mail.About}", faults.SmtpFailures))
        {
            log.Count(FaultLog.SmtpFailed);
            throw new SmtpTransientException($"{mail.Kind} {mail.About}");
        }

        outbox.Add(mail);
    }
}

/// <summary>Every email sent, counted per kind and subject, so a second copy of one shows.</summary>
public sealed class MailOutbox
{
    private readonly ConcurrentDictionary<(MailKind Kind, string About), int> _sent = new();

    public void Add(Mail mail) => _sent.AddOrUpdate((mail.Kind, mail.About), 1, (_, count) => count + 1);

    public MailSummary Summary => new(
        Enum.GetValues<MailKind>().ToDictionary(k => k.ToString(), k => _sent.Count(s => s.Key.Kind == k)),
        [.. _sent.Where(s => s.Value > 1).Select(s => $"{s.Key.Kind} {s.Key.About} ×{s.Value}")]);
}

/// <summary>Distinct emails sent per kind, and the ones sent more than once.</summary>
public sealed record MailSummary(IReadOnlyDictionary<string, int> Sent, IReadOnlyList<string> Duplicates);

/// <summary>How far each order's notices have got: the version of the last order event applied.</summary>
public sealed class OrderMailState
{
    private readonly ConcurrentDictionary<string, long> _applied = new();

    public long Applied(string orderId) => _applied.GetValueOrDefault(orderId);

    public void Advance(string orderId, long version) => _applied[orderId] = version;
}

public sealed record UserAddress(string Id, string Name, string Email);

/// <summary>The call back to the User service. Addresses are kept once read: they are needed for every order.</summary>
public sealed class UserDirectoryClient(HttpClient http, AddressBook known)
{
    public async Task<UserAddress> GetAsync(string userId, CancellationToken cancellationToken)
    {
        if (known.TryGetValue(userId, out var address))
        {
            return address;
        }

        var user = await http.GetFromJsonAsync<UserAddress>($"users/{Uri.EscapeDataString(userId)}", cancellationToken)
            ?? throw new InvalidOperationException($"The User service has no user {userId}.");
        return known[userId] = user;
    }
}

/// <summary>The addresses read so far.</summary>
public sealed class AddressBook : ConcurrentDictionary<string, UserAddress>;
