using Herald.Security;
using Herald.Storage.Internal;
using Microsoft.Extensions.Logging;

namespace Herald.Kafka.Internal;

/// <summary>
/// What every connection of one listener shares: the APIs, the settings, the users, the request memory budget, the log
/// and the audit log.
/// </summary>
internal sealed class ListenerServices(KafkaApis apis, KafkaServerOptions options, UserStore? users, ILogger logger, ILogger audit)
{
    // A hostile or broken client can make every request a warning; one line every 10 s says so without flooding the log.
    private readonly LogThrottle _warnings = new(TimeSpan.FromSeconds(10));

    public KafkaApis Apis { get; } = apis;

    public KafkaServerOptions Options { get; } = options;

    public RequestMemoryBudget Budget { get; } = new(options.MaxQueuedRequestBytes);

    public ILogger Logger { get; } = logger;

    /// <summary>The TLS handshake, on a listener that uses TLS.</summary>
    public TlsHandshake? Tls { get; } = options.Protocol.UsesTls() && options.Tls is { } tls ? new TlsHandshake(tls) : null;

    /// <summary>The users SASL clients authenticate as; null on a listener without SASL.</summary>
    public UserStore? Users { get; } = users;

    /// <summary>Writes an authentication's outcome to the audit log.</summary>
    public void AuditAuthentication(ConnectionSession session, string mechanism, bool succeeded, string? reason)
    {
        if (succeeded)
        {
            Log.Authenticated(audit, session.Principal.ToString(), session.Client, mechanism, Options.Protocol.KafkaName());
        }
        else
        {
            Log.AuthenticationFailed(audit, session.Client, mechanism, Options.Protocol.KafkaName(), reason ?? "refused");
        }
    }

    /// <summary>Writes a refused connection (bad TLS, a request before authenticating) to the audit log.</summary>
    public void AuditRefusal(string client, string principal, string reason) => Log.ConnectionRefusedBySecurity(audit, client, principal, Options.Protocol.KafkaName(), reason);

    /// <summary>Logs a line about a client unless one was logged in the last 10 s; <paramref name="log"/> gets how many were held back.</summary>
    public void Warn(Action<int> log)
    {
        if (_warnings.ShouldLog(out var suppressed))
        {
            log(suppressed);
        }
    }
}
