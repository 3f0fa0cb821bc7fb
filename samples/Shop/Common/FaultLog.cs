using System.Collections.Concurrent;

namespace Shop.Common;

/// <summary>How often each injected fault actually struck in this service (<c>GET /faults/log</c>). Thread-safe.</summary>
public sealed class FaultLog
{
    public const string DuplicatePublished = "duplicate_published";
    public const string PoisonPublished = "poison_published";
    public const string PublishedLate = "published_late";
    public const string SmtpFailed = "smtp_failed";

    private readonly ConcurrentDictionary<string, long> _counts = new();

    public void Count(string fault) => _counts.AddOrUpdate(fault, 1, (_, count) => count + 1);

    public IReadOnlyDictionary<string, long> Counts => _counts.ToDictionary(c => c.Key, c => c.Value);
}
