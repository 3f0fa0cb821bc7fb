namespace Herald.EventSourcing;

/// <summary>Which way a stream is read.</summary>
public enum Direction
{
    /// <summary>Oldest first.</summary>
    Forwards,

    /// <summary>Newest first.</summary>
    Backwards,
}
