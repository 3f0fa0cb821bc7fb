namespace Herald.Storage;

/// <summary>
/// Thrown when a compressed records section decompresses to more than the reader allows, which is how a
/// decompression bomb shows. Decompression stops at the limit, so the bomb never fully inflates.
/// </summary>
public sealed class DecompressionLimitExceededException : InvalidRecordBatchException
{
    /// <summary>Creates the exception for the batch at <paramref name="position"/>.</summary>
    public DecompressionLimitExceededException(string message, int position, int limit)
        : base(message, position)
    {
        Limit = limit;
    }

    /// <summary>The limit that was exceeded, in bytes.</summary>
    public int Limit { get; }
}
