namespace Herald.Storage;

/// <summary>
/// Thrown when bytes that should hold record batches do not: truncated, inconsistent, corrupt, or undecompressable.
/// The message names the problem and the byte it was found at.
/// </summary>
public class InvalidRecordBatchException : Exception
{
    /// <summary>Creates the exception for a problem found at <paramref name="position"/>.</summary>
    public InvalidRecordBatchException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>Creates the exception for a problem found at <paramref name="position"/>, caused by <paramref name="innerException"/>.</summary>
    public InvalidRecordBatchException(string message, int position, Exception innerException)
        : base(message, innerException)
    {
        Position = position;
    }

    /// <summary>
    /// The byte of the reader's input where the problem was found. For a problem inside a compressed records section,
    /// the first byte of its batch; the message then also gives the offset within the decompressed records.
    /// </summary>
    public int Position { get; }
}
