using System.ComponentModel.DataAnnotations;

namespace Herald.Client;

/// <summary>
/// One consumer's settings. Named by <c>topic/group</c>, validated when the host starts, and bound from
/// <c>Herald:Consumers:{topic}/{group}</c> (for example <c>"Herald:Consumers:orders/email:MaxConcurrency": 32</c>).
/// </summary>
public sealed class ConsumerOptions
{
    /// <summary>The topic read. Set by <c>AddConsumer</c>.</summary>
    [Required]
    public string Topic { get; set; } = string.Empty;

    /// <summary>The consumer group: consumers in one group share the partitions; each group gets every event. Set by <c>AddConsumer</c>.</summary>
    [Required]
    public string Group { get; set; } = string.Empty;

    /// <summary>Events handled at once in this process, across keys; one key is always handled one event at a time. 1 to 10,000; defaults to 16.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>
    /// The most events of one partition read and not yet finished (running, or waiting their turn), on either transport;
    /// a partition at the bound is paused until half of it is free. Defaults to 1,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedPerPartition { get; set; } = 1_000;

    /// <summary>How often finished offsets are committed; they are also committed on shutdown. Above zero; defaults to 1 s.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// On shutdown, how long events already running may go on before their handlers are cancelled; events read but not
    /// started are not run, and are delivered again. Defaults to 10 s.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one poll waits for events. Above zero; defaults to 200 ms.</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Immediate retries of a failing handler before its event is dead-lettered (unless a failure rule says otherwise). 0 to 100; defaults to 3.</summary>
    [Range(0, 100)]
    public int Retries { get; set; } = 3;

    /// <summary>The first retry's delay; each next one doubles, with jitter, up to <see cref="MaxRetryDelay"/>. Defaults to 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between retries, at least <see cref="RetryDelay"/>. Defaults to 10 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Delays of the non-blocking retry tiers tried after the immediate retries, for example 1 min, 10 min, 1 h. Each is
    /// a topic, <c>{topic}.{group}.retry-{n}</c>, read by a consumer of its own, so a waiting event holds up nothing.
    /// Empty (the default) goes straight from the immediate retries to the dead-letter topic.
    /// </summary>
    public List<TimeSpan> DelayedRetries { get; } = [];

    /// <summary>Where failed events go; <c>null</c> (the default) means <c>{topic}.{group}.dlq</c>.</summary>
    public string? DeadLetterTopic { get; set; }

    /// <summary>
    /// Keeps per-key order through failures: once an event is dead-lettered, later events with its key are parked
    /// behind it in the dead-letter topic (in order) instead of handled, until its dead letters are redriven or purged.
    /// Redriving them all, oldest first, replays the key in order. Defaults to false.
    /// </summary>
    public bool HoldKeysBehindDeadLetters { get; set; }

    /// <summary>How often the keys held behind dead letters are read again from the dead-letter topic. Defaults to 5 s.</summary>
    public TimeSpan HeldKeysRefresh { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>What to do with events of a type the handler does not handle. Defaults to <see cref="UnknownEventPolicy.Skip"/>.</summary>
    public UnknownEventPolicy UnknownEvents { get; set; } = UnknownEventPolicy.Skip;

    /// <summary>Skip events whose id this group already processed (see <see cref="IProcessedEventStore"/>). Defaults to true.</summary>
    public bool SkipProcessed { get; set; } = true;

    /// <summary>What to do on each kind of failure.</summary>
    public FailureRules Failures { get; } = new();

    /// <summary>When to stop handling because a dependency is down, instead of dead-lettering everything.</summary>
    public CircuitBreakerOptions CircuitBreaker { get; } = new();

    /// <summary>How often lag (and <see cref="ConsumerStatus.BufferedByPartition"/>) is measured for metrics and health. Defaults to 5 s.</summary>
    public TimeSpan LagInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The dead-letter topic in use.</summary>
    public string DeadLetterTopicName => DeadLetterTopic ?? $"{Topic}.{Group}.dlq";

    /// <summary>The topic of retry tier <paramref name="tier"/> (from 1).</summary>
    public string RetryTopic(int tier) => $"{Topic}.{Group}.retry-{tier}";
}
