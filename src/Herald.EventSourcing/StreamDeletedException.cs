namespace Herald.EventSourcing;

/// <summary>The stream was deleted for good (a tombstone): it can be neither read nor appended to again.</summary>
public sealed class StreamDeletedException(string streamId) : Exception($"Stream '{streamId}' was deleted for good.")
{
    /// <summary>The stream.</summary>
    public string StreamId { get; } = streamId;
}
