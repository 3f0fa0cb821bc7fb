using Microsoft.Extensions.Logging;

namespace Herald.Cli;

// Next free event id: 3005.
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Herald is ready: data in {Directory}, {TopicCount} topics")]
    public static partial void Ready(ILogger logger, string directory, int topicCount);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Kafka clients: {Bootstrap}; console and HTTP API: {Console}")]
    public static partial void Listening(ILogger logger, string bootstrap, string console);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Anyone who can reach {Addresses} may read, write and delete every topic: the server listens beyond this machine and does not authenticate clients (--allow-anonymous)")]
    public static partial void OpenToAnyone(ILogger logger, string addresses);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Stopping: flushing every partition")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Stopped cleanly")]
    public static partial void Stopped(ILogger logger);
}
