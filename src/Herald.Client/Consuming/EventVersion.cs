namespace Herald.Client;

/// <summary>
/// For state kept per key with a version (a read model, an aggregate's projection): decides whether an event with a
/// version number is the next one to apply. An older or equal version was already applied, so it is skipped; a version
/// beyond the next is early, and <see cref="Check"/> throws <see cref="EventTooEarlyException"/>. The consumer then
/// holds it (retries with backoff, while other keys go on) and, if the gap is not filled in time, parks it in the
/// dead-letter topic, from where it is redriven once the missing events have been applied.
/// </summary>
public static class EventVersion
{
    /// <summary>True to apply the event, false when it was already applied; throws when it is early.</summary>
    /// <param name="appliedVersion">The version the state is at (0 for none).</param>
    /// <param name="eventVersion">The version the event brings the state to.</param>
    public static bool Check(long appliedVersion, long eventVersion) =>
        eventVersion <= appliedVersion ? false
        : eventVersion == appliedVersion + 1 ? true
        : throw new EventTooEarlyException(appliedVersion + 1, eventVersion);
}
