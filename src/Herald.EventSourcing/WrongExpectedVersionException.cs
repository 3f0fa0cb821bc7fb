namespace Herald.EventSourcing;

/// <summary>The stream was not where the append expected it: someone else appended first. Nothing was written.</summary>
public sealed class WrongExpectedVersionException : Exception
{
    /// <summary>A refused append to <paramref name="streamId"/>.</summary>
    public WrongExpectedVersionException(string streamId, ExpectedVersion expected, long? actualVersion)
        : base($"Stream '{streamId}' was expected at {expected} but {(actualVersion is { } v ? $"is at version {v}" : "does not exist")}.")
    {
        StreamId = streamId;
        Expected = expected;
        ActualVersion = actualVersion;
    }

    /// <summary>The stream appended to.</summary>
    public string StreamId { get; }

    /// <summary>What the append expected.</summary>
    public ExpectedVersion Expected { get; }

    /// <summary>The version of the stream's last event when the append was refused, or null when it had none.</summary>
    public long? ActualVersion { get; }
}
