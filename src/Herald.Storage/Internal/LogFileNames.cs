using System.Globalization;

namespace Herald.Storage.Internal;

/// <summary>The names of the files in a partition directory. Segment files are named by their base offset in 20 digits, as Kafka's are.</summary>
internal static class LogFileNames
{
    public const string SegmentExtension = ".log";
    public const string OffsetIndexExtension = ".index";
    public const string TimeIndexExtension = ".timeindex";
    public const string TemporaryExtension = AtomicFile.TemporarySuffix;

    /// <summary>Records the on-disk format version, so a later Herald knows how to read this directory.</summary>
    public const string FormatMarker = "herald-log.format";

    /// <summary>
    /// A durable position, as (segment base offset, byte position): everything before it was synced. Recovery validates
    /// from there; damage found before it is corruption, after it a torn tail.
    /// </summary>
    public const string RecoveryPoint = "recovery-point";

    /// <summary>Present only after a clean close; its absence at open means the last run crashed.</summary>
    public const string CleanShutdown = "clean-shutdown";

    public const string LogStartOffset = "log-start-offset";

    public static string Segment(string directory, long baseOffset) => Path.Combine(directory, Stem(baseOffset) + SegmentExtension);

    public static string OffsetIndex(string directory, long baseOffset) => Path.Combine(directory, Stem(baseOffset) + OffsetIndexExtension);

    public static string TimeIndex(string directory, long baseOffset) => Path.Combine(directory, Stem(baseOffset) + TimeIndexExtension);

    public static bool TryParseSegment(string fileName, out long baseOffset)
    {
        baseOffset = -1;
        return fileName.Length == 20 + SegmentExtension.Length
            && fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)
            && long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    private static string Stem(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);
}
