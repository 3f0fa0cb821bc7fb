using Herald.Storage.Internal;
using Microsoft.Extensions.Logging;

namespace Herald.Kafka.Internal;

/// <summary>
/// What every connection of one listener shares: the APIs, the settings, the security side, the request memory budget
/// and the log.
/// </summary>
internal sealed class ListenerServices(KafkaApis apis, KafkaServerOptions options, ListenerSecurity security, ILogger logger)
{
    // A hostile or broken client can make every request a warning; one line every 10 s says so without flooding the log.
    private readonly LogThrottle _warnings = new(TimeSpan.FromSeconds(10));

    public KafkaApis Apis { get; } = apis;

    public KafkaServerOptions Options { get; } = options;

    public ListenerSecurity Security { get; } = security;

    public RequestMemoryBudget Budget { get; } = new(options.MaxQueuedRequestBytes);

    public ILogger Logger { get; } = logger;

    /// <summary>Logs a line about a client unless one was logged in the last 10 s; <paramref name="log"/> gets how many were held back.</summary>
    public void Warn(Action<int> log)
    {
        if (_warnings.ShouldLog(out var suppressed))
        {
            log(suppressed);
        }
    }
}
