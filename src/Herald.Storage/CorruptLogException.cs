namespace Herald.Storage;

/// <summary>
/// Stored data is damaged in a way recovery must not paper over: inside a sealed segment, or in the middle of the
/// active one with intact data after it. The partition stops; nothing is skipped or dropped.
/// </summary>
public sealed class CorruptLogException : Exception
{
    /// <summary>Creates the exception for damage found in <paramref name="filePath"/> at byte <paramref name="position"/>.</summary>
    public CorruptLogException(string filePath, long position, string problem)
        : base($"Corrupt log data in '{filePath}' at byte {position}: {problem}")
    {
        FilePath = filePath;
        Position = position;
    }

    /// <summary>The damaged file.</summary>
    public string FilePath { get; }

    /// <summary>The byte position of the damaged batch in <see cref="FilePath"/>.</summary>
    public long Position { get; }
}
