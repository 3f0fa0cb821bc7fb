using Microsoft.Extensions.Logging;

namespace Herald.Server;

// Next free event id: 6001.
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "A live tail of {Topic} was cut off: its client fell {Buffered} events behind")]
    public static partial void TailCutOff(ILogger logger, string topic, int buffered);
}
