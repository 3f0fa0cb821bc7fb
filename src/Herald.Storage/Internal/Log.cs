using Microsoft.Extensions.Logging;

namespace Herald.Storage.Internal;

// Next free event id: 1014.
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Opened log '{Directory}': offsets {StartOffset}..{EndOffset} in {SegmentCount} segments ({Shutdown} shutdown)")]
    public static partial void Opened(ILogger logger, string directory, long startOffset, long endOffset, int segmentCount, string shutdown);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Truncated a torn tail of {Bytes} bytes from '{File}' at byte {Position}: {Problem}")]
    public static partial void TornTailTruncated(ILogger logger, string file, long position, long bytes, string problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Rebuilt missing or damaged indexes of '{File}'")]
    public static partial void IndexesRebuilt(ILogger logger, string file);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Rolled log '{Directory}' to a new segment at offset {BaseOffset}")]
    public static partial void SegmentRolled(ILogger logger, string directory, long baseOffset);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Deleted {Count} segments of '{Directory}'; the log now starts at offset {StartOffset}")]
    public static partial void SegmentsDeleted(ILogger logger, string directory, int count, long startOffset);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Critical, Message = "Log '{Directory}' stopped after a failure; it accepts no more appends")]
    public static partial void Failed(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Deleted segment '{File}' that followed a torn tail")]
    public static partial void SegmentAfterTornTailDeleted(ILogger logger, string file);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Ignored unreadable checkpoint file '{File}'")]
    public static partial void CheckpointUnreadable(ILogger logger, string file);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Debug, Message = "Removed leftover file '{File}'")]
    public static partial void LeftoverRemoved(ILogger logger, string file);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Error, Message = "Log '{Directory}' refuses appends after a failed write or sync; everything up to offset {DurableEndOffset} stays readable. Free space or fix the disk, then restart the broker to recover the rest")]
    public static partial void WritesStopped(ILogger logger, Exception exception, string directory, long durableEndOffset);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Could not write '{File}' of log '{Directory}' ({Suppressed} more such failures since the last warning); the log goes on, and its next open scans further")]
    public static partial void CheckpointWriteFailed(ILogger logger, Exception exception, string file, string directory, int suppressed);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Append of {Bytes} bytes to log '{Directory}' failed and was refused ({Suppressed} more failed appends since the last error)")]
    public static partial void AppendFailed(ILogger logger, Exception exception, string directory, int bytes, int suppressed);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Log '{Directory}' could not close cleanly; its next open recovers it")]
    public static partial void ClosedUnclean(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "A timestamp lookup in '{File}' met a damaged batch at byte {Position} and answered with the batch's first offset: {Problem}")]
    public static partial void DamagedBatchInLookup(ILogger logger, string file, long position, string problem);
}
