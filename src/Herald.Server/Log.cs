using Microsoft.Extensions.Logging;

namespace Herald.Server;

// Next free event id: 6002.
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning, Message = "A live tail of {Topic} was cut off: its client fell {Buffered} events behind")]
    public static partial void TailCutOff(ILogger logger, string topic, int buffered);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Created the first administrator, {User}, from the configured password")]
    public static partial void AdministratorCreated(ILogger logger, string user);
}
