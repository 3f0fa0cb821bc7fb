namespace Herald.Storage.Internal;

/// <summary>Where a records section came from, so that an error can name the byte it found a problem at.</summary>
/// <param name="BatchPosition">Where the batch starts in the reader's input.</param>
/// <param name="SectionPosition">Where the records section starts in the reader's input; meaningless when <paramref name="Decompressed"/>.</param>
/// <param name="Decompressed">Whether the section is the output of decompression rather than a slice of the input.</param>
internal readonly record struct SectionLocation(int BatchPosition, int SectionPosition, bool Decompressed)
{
    public InvalidRecordBatchException Error(string problem, int offsetInSection)
    {
        if (Decompressed)
        {
            return new InvalidRecordBatchException(
                $"Invalid record batch at byte {BatchPosition}: {problem}, at byte {offsetInSection} of its decompressed records.",
                BatchPosition);
        }

        int position = SectionPosition + offsetInSection;
        return new InvalidRecordBatchException($"Invalid record batch at byte {BatchPosition}: {problem}, at byte {position}.", position);
    }
}
