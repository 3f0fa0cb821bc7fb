namespace Herald.Storage;

/// <summary>
/// One file of a partition log: positional reads and writes, and an explicit durability barrier.
/// Implementations must allow <see cref="Read"/> from any thread while one thread writes.
/// </summary>
public interface ILogFile : IDisposable
{
    /// <summary>The path the file was opened with.</summary>
    string Path { get; }

    /// <summary>The current length of the file in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <c>destination.Length</c> bytes at <paramref name="position"/>; returns fewer only at the end of the file.</summary>
    int Read(long position, Span<byte> destination);

    /// <summary>Writes all of <paramref name="source"/> at <paramref name="position"/>, extending the file if needed.</summary>
    void Write(long position, ReadOnlySpan<byte> source);

    /// <summary>Makes every byte written so far, and the file's length, survive a power cut (fdatasync).</summary>
    void Flush();

    /// <summary>Truncates or extends the file.</summary>
    void SetLength(long length);
}
