namespace Herald.Storage;

/// <summary>When appended bytes are forced to disk.</summary>
public enum FlushMode
{
    /// <summary>Every append waits for a group-committed fdatasync before it completes. The default.</summary>
    Always = 0,

    /// <summary>Appends complete once the OS has the bytes; a background flush runs after a time or byte threshold.</summary>
    Interval = 1,

    /// <summary>
    /// Appends are never forced to disk: a power cut can lose any of them. Only segment rolls, explicit
    /// <see cref="PartitionLog.FlushAsync"/> calls and a clean close sync the files.
    /// </summary>
    UnsafeNoForce = 2,
}
