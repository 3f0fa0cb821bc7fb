using Microsoft.Extensions.Logging;

namespace Herald.Storage.Internal;

// Next free event id: 1009.
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
}
