using Herald.Broker;
using Herald.Kafka.Messages;
using Herald.Security;

namespace Herald.Kafka.Internal;

/// <summary>
/// Who is on one connection, and, on a SASL listener, where its authentication stands. Before it authenticates a client
/// may send only ApiVersions and SaslHandshake, then only SaslAuthenticate; anything else closes the connection, as in
/// Kafka. Its methods run in the connection's request order, on the thread that parses requests.
/// </summary>
internal sealed class ConnectionSession
{
    private const string ClosedSession = "the connection was already refused";

    private readonly ListenerServices _services;
    private readonly long _connectedAt = Environment.TickCount64;
    private State _state;
    private SaslExchange? _exchange;
    private string? _mechanism;
    private long _expiresAt = long.MaxValue;
    private volatile bool _authenticated; // read by the sweeper too

    public ConnectionSession(ListenerServices services, string client, Principal principal)
    {
        _services = services;
        Client = client;
        Principal = principal;
        _state = services.Options.Protocol.UsesSasl() ? State.AwaitingHandshake : State.NotSasl;
        _authenticated = _state == State.NotSasl;
    }

    private enum State
    {
        NotSasl,
        AwaitingHandshake,
        Authenticating,
        Authenticated,
        Reauthenticating,
        Closed,
    }

    /// <summary>The client's address.</summary>
    public string Client { get; }

    /// <summary>The client's principal: anonymous, its certificate's subject, or its SASL user once authenticated.</summary>
    public Principal Principal { get; private set; }

    /// <summary>The largest request this client may send now.</summary>
    public int MaxRequestBytes => _authenticated
        ? _services.Options.MaxRequestBytes
        : Math.Min(_services.Options.MaxRequestBytes, _services.Options.MaxUnauthenticatedRequestBytes);

    /// <summary>Whether a SASL client has gone too long without authenticating.</summary>
    public bool AuthenticationOverdue(long now) =>
        !_authenticated && now - _connectedAt > (long)_services.Options.AuthenticationTimeout.TotalMilliseconds;

    /// <summary>Why a request for this API must close the connection unanswered, or null when it may be served.</summary>
    public string? Refusal(short apiKey) => _state switch
    {
        State.NotSasl => null,
        State.AwaitingHandshake => apiKey is ApiVersionsRequest.ApiKey or SaslHandshakeRequest.ApiKey
            ? null
            : $"API {apiKey} before authenticating (only ApiVersions and SaslHandshake are allowed)",
        State.Authenticating => apiKey == SaslAuthenticateRequest.ApiKey ? null : $"API {apiKey} during SASL authentication (only SaslAuthenticate is allowed)",
        State.Authenticated or State.Reauthenticating => Environment.TickCount64 >= _expiresAt && apiKey is not (SaslHandshakeRequest.ApiKey or SaslAuthenticateRequest.ApiKey)
            ? "its SASL session expired without re-authentication (connections.max.reauth.ms)"
            : null,
        _ => ClosedSession,
    };

    /// <summary>Answers a SaslHandshake; <paramref name="close"/> says whether the connection closes after the answer.</summary>
    /// <remarks>
    /// Version 0 stays listed in ApiVersions, since librdkafka takes it as the sign that a broker speaks SASL at all,
    /// but is refused when used: after it a client sends raw SASL tokens outside Kafka's framing, as only clients
    /// older than Kafka 1.0 do.
    /// </remarks>
    public SaslHandshakeResponse Handshake(string mechanism, short version, out bool close)
    {
        var enabled = _services.Options.SaslMechanisms;
        close = false;
        if (_state == State.NotSasl)
        {
            return new SaslHandshakeResponse { ErrorCode = (short)ErrorCode.UnsupportedSaslMechanism, Mechanisms = [] };
        }

        if (!enabled.Contains(mechanism) || (_state == State.Authenticated && mechanism != _mechanism))
        {
            close = true;
            _state = State.Closed;
            var error = _mechanism is null ? ErrorCode.UnsupportedSaslMechanism : ErrorCode.IllegalSaslState;
            _services.Security.AuditAuthentication(this, mechanism, succeeded: false, _mechanism is null ? "the mechanism is not enabled" : $"re-authentication must use {_mechanism}");
            return new SaslHandshakeResponse { ErrorCode = (short)error, Mechanisms = [.. enabled] };
        }

        if (version == 0 || _state is not (State.AwaitingHandshake or State.Authenticated))
        {
            _services.Security.AuditAuthentication(this, mechanism, succeeded: false, version == 0 ? "SaslHandshake v0 (raw SASL tokens), which Herald does not support" : "a SaslHandshake out of turn");
            close = true;
            _state = State.Closed;
            return new SaslHandshakeResponse { ErrorCode = (short)ErrorCode.IllegalSaslState, Mechanisms = [.. enabled] };
        }

        _exchange = SaslExchange.Start(mechanism, _services.Security.Users!);
        _mechanism = mechanism;
        _state = _state == State.Authenticated ? State.Reauthenticating : State.Authenticating;
        return new SaslHandshakeResponse { Mechanisms = [.. enabled] };
    }

    /// <summary>Answers a SaslAuthenticate; <paramref name="failed"/> says the exchange failed and the connection closes.</summary>
    public SaslAuthenticateResponse Authenticate(byte[] message, out bool failed)
    {
        failed = true;
        if (_exchange is not { } exchange || _state is not (State.Authenticating or State.Reauthenticating))
        {
            _state = _state == State.NotSasl ? State.NotSasl : State.Closed;
            return new SaslAuthenticateResponse { ErrorCode = (short)ErrorCode.IllegalSaslState, ErrorMessage = "SaslAuthenticate must follow a SaslHandshake." };
        }

        var step = exchange.Evaluate(message);
        if (step.Outcome == SaslOutcome.Continue)
        {
            failed = false;
            return new SaslAuthenticateResponse { AuthBytes = step.Challenge };
        }

        _exchange = null;
        if (step.Outcome == SaslOutcome.Succeeded && _state == State.Reauthenticating && step.Principal != Principal)
        {
            step = new SaslStep(SaslOutcome.Failed, [], Reason: $"re-authenticated as {step.Principal}, not {Principal}");
        }

        if (step.Outcome == SaslOutcome.Failed)
        {
            _state = State.Closed;
            _authenticated = false;
            _services.Security.AuditAuthentication(this, exchange.Mechanism, succeeded: false, step.Reason);
            return new SaslAuthenticateResponse
            {
                ErrorCode = (short)ErrorCode.SaslAuthenticationFailed,
                ErrorMessage = $"Authentication failed: invalid credentials with SASL mechanism {exchange.Mechanism}",
            };
        }

        failed = false;
        Principal = step.Principal!.Value;
        _state = State.Authenticated;
        var lifetime = _services.Options.MaxReauthenticationInterval;
        _expiresAt = lifetime is { } interval ? Environment.TickCount64 + (long)interval.TotalMilliseconds : long.MaxValue;
        _authenticated = true;
        _services.Security.AuditAuthentication(this, exchange.Mechanism, succeeded: true, reason: null);
        return new SaslAuthenticateResponse { AuthBytes = step.Challenge, SessionLifetimeMs = lifetime is { } l ? (long)l.TotalMilliseconds : 0 };
    }
}
