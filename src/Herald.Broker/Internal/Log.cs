using Microsoft.Extensions.Logging;

namespace Herald.Broker.Internal;

// Next free event id: 2005.
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Applying retention failed; it will be tried again at the next check")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Creating {Partitions} partitions of topic '{Topic}' failed; what was made of them is removed again")]
    public static partial void CreateFailed(ILogger logger, Exception exception, string topic, int partitions);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Could not remove '{Directory}' after a failed create; it belongs to no topic, so the next start removes it")]
    public static partial void PartitionDirectoryLeft(ILogger logger, Exception exception, string directory);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Removed '{Directory}', which belongs to no topic (left by a crash or a failed create)")]
    public static partial void OrphanRemoved(ILogger logger, string directory);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "Writing the topic catalog for a change to '{Topic}' failed; the change was refused and nothing changed")]
    public static partial void CatalogWriteFailed(ILogger logger, Exception exception, string topic);
}
