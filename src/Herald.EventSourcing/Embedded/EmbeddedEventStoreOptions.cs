namespace Herald.EventSourcing;

/// <summary>Settings of the embedded event store.</summary>
public sealed record EmbeddedEventStoreOptions
{
    /// <summary>Where the store keeps its log. Defaults to <c>data/events</c>.</summary>
    public string Directory { get; init; } = Path.Combine("data", "events");

    /// <summary>The most bytes one append may take, its events' ids, types, bodies and metadata together. Defaults to 16 MiB.</summary>
    public int MaxAppendBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Size of the log's segment files. Defaults to 256 MiB.</summary>
    public long SegmentBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Checks the settings once, at open.</summary>
    /// <exception cref="ArgumentException">Naming the first setting out of range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("Directory must be set.");
        }

        if (MaxAppendBytes < 1024)
        {
            throw new ArgumentException($"MaxAppendBytes must be at least 1 KiB, got {MaxAppendBytes}.");
        }

        if (SegmentBytes < MaxAppendBytes)
        {
            throw new ArgumentException($"SegmentBytes ({SegmentBytes}) must be at least MaxAppendBytes ({MaxAppendBytes}).");
        }
    }
}
