using Microsoft.Extensions.Logging;

namespace Herald.Cli;

// Next free event id: 3004.
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Herald is ready: data in {Directory}, {TopicCount} topics")]
    public static partial void Ready(ILogger logger, string directory, int topicCount);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Kafka clients: {Bootstrap}; console and HTTP API: {Console}")]
    public static partial void Listening(ILogger logger, string bootstrap, string console);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Stopping: flushing every partition")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Stopped cleanly")]
    public static partial void Stopped(ILogger logger);
}
