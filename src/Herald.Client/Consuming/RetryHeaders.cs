namespace Herald.Client;

/// <summary>
/// Non-blocking delayed retries. An event that still fails after its immediate retries moves to the next retry topic,
/// <c>{topic}.{group}.retry-{n}</c>, with a due time; its partition goes on at once. Each retry topic has one delay, so
/// its events are in due order: the retry consumer waits for the head's due time without holding up the main topic.
/// After the last tier, the event is dead-lettered, with its original topic, partition and offset.
/// </summary>
internal static class RetryHeaders
{
    /// <summary>Which retry topic this is (1 for the first).</summary>
    public const string Tier = "herald-retry-tier";

    /// <summary>When the event may be tried again (ISO 8601).</summary>
    public const string Due = "herald-retry-due";

    /// <summary>Handler attempts so far, over every tier.</summary>
    public const string Attempts = "herald-retry-attempts";

    /// <summary>When it first failed (ISO 8601).</summary>
    public const string FirstFailure = "herald-retry-first-failure";

    /// <summary>The topic the event was first read from.</summary>
    public const string OriginalTopic = "herald-retry-original-topic";

    /// <summary>Its partition there.</summary>
    public const string OriginalPartition = "herald-retry-original-partition";

    /// <summary>Its offset there.</summary>
    public const string OriginalOffset = "herald-retry-original-offset";

    internal static readonly string[] All = [Tier, Due, Attempts, FirstFailure, OriginalTopic, OriginalPartition, OriginalOffset];
}
