namespace Herald.EventSourcing;

/// <summary>The event types a follower of <c>$all</c> passed over because they are not registered, so each is warned about once. Thread-safe.</summary>
internal sealed class UnknownTypes
{
    private readonly HashSet<string> _seen = [];

    /// <summary>Whether <paramref name="type"/> is seen here for the first time.</summary>
    public bool IsNew(string type)
    {
        lock (_seen)
        {
            return _seen.Add(type);
        }
    }
}
