using System.Text;

namespace Herald.EventSourcing;

/// <summary>The checks every store makes of what it is given, before anything is written.</summary>
internal static class StoreArguments
{
    private const int MaxStreamIdBytes = 1024;

    public static void CheckStreamId(string streamId)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        if (streamId.StartsWith('$'))
        {
            throw new ArgumentException($"Stream ids starting with '$' are reserved; got '{streamId}'.", nameof(streamId));
        }

        if (Encoding.UTF8.GetByteCount(streamId) > MaxStreamIdBytes)
        {
            throw new ArgumentException($"A stream id takes at most {MaxStreamIdBytes} bytes of UTF-8.", nameof(streamId));
        }
    }

    public static void CheckEvents(IReadOnlyList<EventData> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        var ids = new HashSet<Guid>();
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            ArgumentException.ThrowIfNullOrEmpty(e.Type, nameof(events));
            if (e.EventId == Guid.Empty || !ids.Add(e.EventId))
            {
                throw new ArgumentException($"Every event needs an id of its own; {e.EventId} is {(e.EventId == Guid.Empty ? "empty" : "used twice")}.", nameof(events));
            }
        }
    }

    public static void CheckMetadata(StreamMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.MaxCount < 0 || metadata.TruncateBefore < 0 || metadata.MaxAge < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(metadata), "MaxCount, MaxAge and TruncateBefore must not be negative.");
        }
    }
}
