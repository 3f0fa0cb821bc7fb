namespace Herald.EventSourcing.Embedded;

/// <summary>One stream in the store's index: where each of its versions sits in the log.</summary>
internal sealed class StreamEntry(string id)
{
    private readonly List<long> _positions = [];

    public string Id { get; } = id;

    public StreamState State { get; set; } = StreamState.Default;

    /// <summary>The version of the last event readers see, or null when they see none (a new or soft-deleted stream).</summary>
    public long? VisibleLastVersion => State.Deleted || State.Tombstoned ? null : LastVersion;

    /// <summary>The first version readers may see by count and truncation; age is checked per event as it is read.</summary>
    public long FirstVisibleVersion
    {
        get
        {
            var first = State.Metadata.TruncateBefore ?? 0;
            if (State.Metadata.MaxCount is { } max && LastVersion is { } last)
            {
                first = Math.Max(first, last - max + 1);
            }

            return first;
        }
    }

    /// <summary>The version of the last event, or null when the stream has none.</summary>
    public long? LastVersion => _positions.Count == 0 ? null : _positions.Count - 1;

    public long PositionOf(long version) => _positions[checked((int)version)];

    public void Add(long position) => _positions.Add(position);

    /// <summary>The positions of versions from <paramref name="from"/>, <paramref name="count"/> of them, in either direction.</summary>
    public long[] Positions(long from, long count, Direction direction)
    {
        if (_positions.Count == 0)
        {
            return [];
        }

        if (direction == Direction.Forwards)
        {
            var start = (int)Math.Clamp(from, 0, _positions.Count);
            var take = (int)Math.Min(count, _positions.Count - start);
            return [.. _positions.GetRange(start, take)];
        }

        var last = (int)Math.Clamp(from, -1, _positions.Count - 1);
        var length = (int)Math.Min(count, last + 1);
        var backwards = _positions.GetRange(last - length + 1, length);
        backwards.Reverse();
        return [.. backwards];
    }
}
