namespace Herald.EventSourcing;

/// <summary>
/// What an append has to write, decided against the index under the store's lock: everything, only the events after
/// those already stored (a retry that goes further), or nothing (a retry of what is stored).
/// </summary>
/// <param name="Skip">How many leading events are already stored.</param>
/// <param name="FirstVersion">The version the first event to write gets.</param>
internal readonly record struct AppendPlan(int Skip, long FirstVersion)
{
    /// <summary>Checks <paramref name="expected"/> and recognises events already stored by their ids.</summary>
    /// <exception cref="WrongExpectedVersionException">The stream is not where the append expects it.</exception>
    /// <param name="streamId">The stream appended to.</param>
    /// <param name="current">The version of its last event, deleted or not; null when it never had one.</param>
    /// <param name="visible">The version of its last event readers see; null when none (new or soft-deleted).</param>
    /// <param name="expected">What the append expects.</param>
    /// <param name="events">The events to append.</param>
    /// <param name="find">Where an event id is stored already, if anywhere.</param>
    public static AppendPlan For(string streamId, long? current, long? visible, ExpectedVersion expected, IReadOnlyList<EventData> events, Func<Guid, StoredAt?> find)
    {
        var known = 0;
        long? knownFrom = null;
        for (; known < events.Count && find(events[known].EventId) is { } location; known++)
        {
            if (location.StreamId != streamId || (knownFrom is { } from && location.Version != from + known))
            {
                throw new WrongExpectedVersionException(streamId, expected, current); // the ids are stored, but not as this append would have stored them
            }

            knownFrom ??= location.Version;
        }

        if (known > 0)
        {
            return Retried(streamId, current!.Value, expected, events, known, knownFrom!.Value);
        }

        for (var i = 1; i < events.Count; i++)
        {
            if (find(events[i].EventId) is not null)
            {
                throw new WrongExpectedVersionException(streamId, expected, current);
            }
        }

        return expected.IsMetBy(current, visible) ? new AppendPlan(0, (current ?? -1) + 1) : throw new WrongExpectedVersionException(streamId, expected, visible);
    }

    private static AppendPlan Retried(string streamId, long current, ExpectedVersion expected, IReadOnlyList<EventData> events, int known, long from)
    {
        var expectedFirst = expected.Value switch
        {
            -1 => 0,
            >= 0 => expected.Value + 1,
            _ => from,
        };
        if (from != expectedFirst || (expected == ExpectedVersion.StreamExists && from == 0))
        {
            throw new WrongExpectedVersionException(streamId, expected, current);
        }

        if (known == events.Count)
        {
            return new AppendPlan(known, from + known);
        }

        // The rest is new: it may only follow if what is stored ends where the retried events do.
        return from + known - 1 == current
            ? new AppendPlan(known, current + 1)
            : throw new WrongExpectedVersionException(streamId, expected, current);
    }

    /// <summary>Whether nothing is left to write.</summary>
    public bool IsDuplicate(int count) => Skip == count;
}
