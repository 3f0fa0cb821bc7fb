namespace Herald.Security.Internal;

/// <summary>SASL PLAIN (RFC 4616): one message, <c>[authzid] NUL user NUL password</c>.</summary>
internal sealed class PlainExchange(UserStore users) : SaslExchange
{
    private bool _done;

    public override string Mechanism => Plain;

    public override SaslStep Evaluate(ReadOnlySpan<byte> message)
    {
        if (_done)
        {
            return SaslStep.Fail("PLAIN takes one message, and a second came");
        }

        _done = true;
        if (Decode(message, out var text) is { } failed)
        {
            return failed;
        }

        var parts = text.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return SaslStep.Fail("a malformed PLAIN message");
        }

        var (authorizationId, user, password) = (parts[0], parts[1], parts[2]);
        if (authorizationId.Length > 0 && authorizationId != user)
        {
            return SaslStep.Fail($"PLAIN user '{user}' asked to act as '{authorizationId}'");
        }

        return users.Authenticate(user, password)
            ? new SaslStep(SaslOutcome.Succeeded, [], Principal.User(user))
            : SaslStep.Fail($"PLAIN user '{user}' is unknown or gave a wrong password");
    }
}
