using Microsoft.Extensions.Logging;

namespace Herald.Broker.Internal;

// Next free event id: 2001.
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "Applying retention failed; it will be tried again at the next check")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
