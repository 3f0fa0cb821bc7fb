using Herald.Security;
using Microsoft.Extensions.Logging;

namespace Herald.Kafka.Internal;

/// <summary>
/// The security side of one listener: its TLS handshake, the users SASL clients authenticate as, who may administer
/// them, and the audit log every authentication, refusal and administrative change is written to.
/// </summary>
internal sealed class ListenerSecurity(KafkaServerOptions options, UserStore? users, Authorizer authorizer, ILogger audit)
{
    private readonly string _protocol = options.Protocol.KafkaName();

    /// <summary>The TLS handshake, on a listener that uses TLS.</summary>
    public TlsHandshake? Tls { get; } = options.Protocol.UsesTls() && options.Tls is { } tls ? new TlsHandshake(tls) : null;

    /// <summary>The users SASL clients authenticate as, and users are administered in; null when there are none.</summary>
    public UserStore? Users { get; } = users;

    /// <summary>
    /// Whether the principal may list and change users: a super user, or anyone on a listener that does not
    /// authenticate its clients (there everyone may do everything; such a listener is loopback-only unless anonymous
    /// access was allowed).
    /// </summary>
    public bool MayAdministerUsers(Principal principal) => !options.Authenticates || authorizer.IsSuperUser(principal);

    public void AuditAuthentication(ConnectionSession session, string mechanism, bool succeeded, string? reason)
    {
        if (succeeded)
        {
            Log.Authenticated(audit, session.Principal.ToString(), session.Client, mechanism, _protocol);
        }
        else
        {
            Log.AuthenticationFailed(audit, session.Client, mechanism, _protocol, reason ?? "refused");
        }
    }

    public void AuditRefusal(string client, string principal, string reason) => Log.ConnectionRefusedBySecurity(audit, client, principal, _protocol, reason);

    public void AuditChange(ConnectionSession session, string change, string outcome) =>
        Log.AdminChange(audit, session.Principal.ToString(), session.Client, change, outcome);

    public void AuditDenial(ConnectionSession session, string operation) =>
        Log.Denied(audit, session.Principal.ToString(), session.Client, operation);
}
