namespace Herald.Security;

/// <summary>Where an authentication stands after the server took one message from the client.</summary>
public enum SaslOutcome
{
    /// <summary>The server sent a challenge and waits for the client's next message.</summary>
    Continue,

    /// <summary>The client proved who it is; the server's last message may still have to be sent.</summary>
    Succeeded,

    /// <summary>The client did not prove it: wrong or malformed, unknown user, or out of turn.</summary>
    Failed,
}

/// <summary>The result of one step of a SASL exchange.</summary>
/// <param name="Outcome">Whether the exchange goes on, succeeded or failed.</param>
/// <param name="Challenge">The bytes for the client (empty when there are none).</param>
/// <param name="Principal">Who the client is, once it succeeded.</param>
/// <param name="Reason">
/// Why it failed, for the server's log and audit only: a client is told no more than that authentication failed, so it
/// cannot learn whether a user exists.
/// </param>
public readonly record struct SaslStep(SaslOutcome Outcome, byte[] Challenge, Principal? Principal = null, string? Reason = null)
{
    internal static SaslStep Fail(string reason) => new(SaslOutcome.Failed, [], Reason: reason);
}
