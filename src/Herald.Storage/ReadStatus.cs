namespace Herald.Storage;

/// <summary>The outcome of a read.</summary>
public enum ReadStatus
{
    /// <summary>The read succeeded; it may have returned no bytes when the offset is at the end of the log.</summary>
    Ok = 0,

    /// <summary>The offset is before the log start offset or after the end of the log.</summary>
    OffsetOutOfRange = 1,
}
