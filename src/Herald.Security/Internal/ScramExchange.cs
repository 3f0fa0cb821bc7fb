using System.Security.Cryptography;
using System.Text;

namespace Herald.Security.Internal;

/// <summary>
/// The server's side of SCRAM (RFC 5802, RFC 7677) without channel binding: client-first → server-first (nonce, salt,
/// iterations) → client-final (proof) → server-final (signature). An unknown user gets a made-up salt and fails at the
/// proof, as a wrong password does, so the exchange never says which users exist.
/// </summary>
internal sealed class ScramExchange(ScramMechanism mechanism, UserStore users, Func<string>? serverNonce = null) : SaslExchange
{
    private const int ServerNonceBytes = 24;
    private readonly Func<string> _serverNonce = serverNonce ?? (() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes)));

    private State _state = State.ExpectingClientFirst;
    private string _user = "";
    private string _gs2Header = "";
    private string _clientFirstBare = "";
    private string _clientNonce = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private ScramCredential? _credential;

    private enum State
    {
        ExpectingClientFirst,
        ExpectingClientFinal,
        Done,
    }

    public override string Mechanism => mechanism.Name;

    public override SaslStep Evaluate(ReadOnlySpan<byte> message)
    {
        var state = _state;
        _state = State.Done; // any failure ends the exchange; a step that goes on sets its next state
        if (Decode(message, out var text) is { } failed)
        {
            return failed;
        }

        return state switch
        {
            State.ExpectingClientFirst => ClientFirst(text),
            State.ExpectingClientFinal => ClientFinal(text),
            _ => SaslStep.Fail("a SCRAM message after the exchange ended"),
        };
    }

    private SaslStep ClientFirst(string message)
    {
        // gs2-header = cbind-flag "," [authzid] "," ; channel binding ("p=") is not offered, so only "n" or "y".
        var firstComma = message.IndexOf(',', StringComparison.Ordinal);
        var secondComma = firstComma < 0 ? -1 : message.IndexOf(',', firstComma + 1);
        if (secondComma < 0)
        {
            return SaslStep.Fail("a truncated SCRAM client-first message");
        }

        var flag = message[..firstComma];
        if (flag is not ("n" or "y"))
        {
            return SaslStep.Fail(flag.StartsWith("p=", StringComparison.Ordinal) ? "SCRAM channel binding, which Herald does not offer" : "a malformed SCRAM gs2 header");
        }

        var authorizationId = message[(firstComma + 1)..secondComma];
        _gs2Header = message[..(secondComma + 1)];
        _clientFirstBare = message[(secondComma + 1)..];
        var attributes = _clientFirstBare.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return SaslStep.Fail("a malformed SCRAM client-first message");
        }

        if (DecodeName(attributes[0][2..]) is not { Length: > 0 and <= UserStore.MaxUserNameLength } user)
        {
            return SaslStep.Fail("a SCRAM user name that is empty, too long or badly escaped");
        }

        if (authorizationId.Length > 0 && (!authorizationId.StartsWith("a=", StringComparison.Ordinal) || DecodeName(authorizationId[2..]) != user))
        {
            return SaslStep.Fail($"SCRAM user '{user}' asked to act as someone else");
        }

        if (attributes.Skip(2).Any(a => a.StartsWith("tokenauth=", StringComparison.Ordinal)))
        {
            return SaslStep.Fail("a delegation token, which Herald does not issue");
        }

        _clientNonce = attributes[1][2..];
        if (_clientNonce.Length == 0 || _clientNonce.Any(c => c is < '!' or > '~'))
        {
            return SaslStep.Fail("a SCRAM client nonce that is empty or not printable");
        }

        _user = user;
        _credential = users.Find(user, mechanism) ?? MadeUp(user);
        _nonce = _clientNonce + _serverNonce();
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _state = State.ExpectingClientFinal;
        return new SaslStep(SaslOutcome.Continue, Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep ClientFinal(string message)
    {
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return SaslStep.Fail("a SCRAM client-final message without a proof");
        }

        var withoutProof = message[..proofAt];
        var attributes = withoutProof.Split(',');
        if (attributes.Length < 2 || attributes[0] != "c=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
        {
            return SaslStep.Fail("a SCRAM channel binding that does not match the client-first message");
        }

        // librdkafka before 2.2 sent its own nonce again in front of the combined one; it still carries this server's
        // nonce, so a replayed message cannot pass, and the proof covers the bytes the client sent.
        var nonce = attributes[1];
        if (nonce != "r=" + _nonce && nonce != "r=" + _clientNonce + _nonce)
        {
            return SaslStep.Fail("a SCRAM nonce that is not the one this server sent");
        }

        byte[] proof;
        try
        {
            proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        }
        catch (FormatException)
        {
            return SaslStep.Fail("a SCRAM proof that is not base64");
        }

        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = mechanism.Hmac(credential.StoredKey, authMessage);
        if (proof.Length != clientSignature.Length)
        {
            return SaslStep.Fail("a SCRAM proof of the wrong length");
        }

        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] ^= clientSignature[i]; // the client key, if the proof is right
        }

        if (!CryptographicOperations.FixedTimeEquals(mechanism.Digest(proof), credential.StoredKey))
        {
            return SaslStep.Fail($"SCRAM user '{_user}' is unknown or gave a wrong password");
        }

        var serverSignature = mechanism.Hmac(credential.ServerKey, authMessage);
        return new SaslStep(SaslOutcome.Succeeded, Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)), Principal.User(_user));
    }

    // Keys no password derives, since they are random, behind a salt that stays the same for the name.
    private ScramCredential MadeUp(string user)
    {
        var (salt, iterations) = users.MadeUpSalt(user, mechanism);
        return new ScramCredential(mechanism, salt, iterations, RandomNumberGenerator.GetBytes(mechanism.HashBytes), RandomNumberGenerator.GetBytes(mechanism.HashBytes));
    }

    // saslname: "," is written "=2C" and "=" "=3D"; any other "=" is malformed.
    private static string? DecodeName(string name)
    {
        if (!name.Contains('=', StringComparison.Ordinal))
        {
            return name;
        }

        var decoded = new StringBuilder(name.Length);
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] != '=')
            {
                decoded.Append(name[i]);
                continue;
            }

            var escape = i + 3 <= name.Length ? name.Substring(i, 3) : "";
            if (escape is not ("=2C" or "=3D"))
            {
                return null;
            }

            decoded.Append(escape == "=2C" ? ',' : '=');
            i += 2;
        }

        return decoded.ToString();
    }
}
