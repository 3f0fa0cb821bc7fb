using Microsoft.Extensions.Logging;

namespace Herald.EventSourcing;

// Next free event id: 7008.
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Projection {Projection} v{Version}: building generation {Generation} from position 0")]
    public static partial void BuildingGeneration(ILogger logger, string projection, int version, int generation);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Projection {Projection} v{Version}: generation {Generation} caught up at position {Checkpoint} and is now served")]
    public static partial void TookOver(ILogger logger, string projection, int version, int generation, long checkpoint);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Projection {Projection} failed; trying again in {Delay}")]
    public static partial void ProjectionFailed(ILogger logger, Exception exception, string projection, TimeSpan delay);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Projection {Projection} passes over events of type {Type}, which is not registered; add it with AddEvent<T>() if the projection needs it")]
    public static partial void SkippingUnknownType(ILogger logger, string projection, string type);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Projection {Projection}: another process moved generation {Generation} on; reloading its checkpoint")]
    public static partial void ProjectionConflict(ILogger logger, string projection, int generation);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "Relay {Relay} failed; trying again in {Delay}")]
    public static partial void RelayFailed(ILogger logger, Exception exception, string relay, TimeSpan delay);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "Relay {Relay} passes over events of type {Type}, which is not registered; add it with AddEvent<T>() to relay it")]
    public static partial void RelaySkippingUnknownType(ILogger logger, string relay, string type);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Saving a snapshot of {Stream} failed; loading it reads more events until the next one")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception, string stream);
}
