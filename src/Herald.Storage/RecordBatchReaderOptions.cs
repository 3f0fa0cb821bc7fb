namespace Herald.Storage;

/// <summary>How a <see cref="RecordBatchReader"/> checks what it reads.</summary>
public sealed record RecordBatchReaderOptions
{
    /// <summary>Verifies CRCs and allows 64 MiB of decompressed records per batch.</summary>
    public static RecordBatchReaderOptions Default { get; } = new();

    /// <summary>Whether to check each batch's CRC32C before decoding it. Defaults to true.</summary>
    public bool VerifyCrc { get; init; } = true;

    /// <summary>
    /// The most bytes one batch's compressed records section may decompress to; more fails the read with
    /// <see cref="DecompressionLimitExceededException"/>. Defaults to 64 MiB.
    /// </summary>
    public int MaxDecompressedBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Checks the options once, before anything is read.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <see cref="MaxDecompressedBytes"/> is negative.</exception>
    internal void Validate()
    {
        if (MaxDecompressedBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDecompressedBytes), MaxDecompressedBytes, "The decompression limit cannot be negative.");
        }
    }
}
