namespace Herald.Client;

/// <summary>The event being handled: its envelope and where it came from. Events published while handling it are caused by it.</summary>
public sealed class EventContext
{
    private static readonly AsyncLocal<EventContext?> Ambient = new();

    internal EventContext(EventMetadata metadata, string topic, int partition, long offset, string group, int attempt)
    {
        Metadata = metadata;
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Group = group;
        Attempt = attempt;
    }

    internal EventContext WithAttempt(int attempt) => new(Metadata, Topic, Partition, Offset, Group, attempt);

    /// <summary>The event being handled on this async flow, if any.</summary>
    public static EventContext? Current
    {
        get => Ambient.Value;
        internal set => Ambient.Value = value;
    }

    /// <summary>The envelope.</summary>
    public EventMetadata Metadata { get; }

    /// <summary>The topic it was read from.</summary>
    public string Topic { get; }

    /// <summary>The partition it was read from.</summary>
    public int Partition { get; }

    /// <summary>Its offset in that partition.</summary>
    public long Offset { get; }

    /// <summary>The consumer group handling it.</summary>
    public string Group { get; }

    /// <summary>1 on the first try, then 2, 3… on retries.</summary>
    public int Attempt { get; }
}
