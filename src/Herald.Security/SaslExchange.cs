using System.Text;
using Herald.Security.Internal;

namespace Herald.Security;

/// <summary>
/// The server's side of one SASL authentication: it takes the client's messages in turn and answers each. One per
/// connection and attempt; not thread-safe.
/// </summary>
public abstract class SaslExchange
{
    /// <summary>SASL PLAIN (RFC 4616): the password in the clear, so only over TLS.</summary>
    public const string Plain = "PLAIN";

    /// <summary>The largest client message any mechanism accepts, in bytes; a larger one fails the exchange.</summary>
    public const int MaxMessageBytes = 8 * 1024;

    /// <summary>Every mechanism Herald implements.</summary>
    public static IReadOnlyList<string> Mechanisms { get; } = [Plain, ScramMechanism.Sha256.Name, ScramMechanism.Sha512.Name];

    /// <summary>The mechanism's name.</summary>
    public abstract string Mechanism { get; }

    /// <summary>A new exchange for the mechanism against the users in <paramref name="users"/>, or null for a mechanism Herald does not implement.</summary>
    public static SaslExchange? Start(string mechanism, UserStore users)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (string.Equals(mechanism, Plain, StringComparison.Ordinal))
        {
            return new PlainExchange(users);
        }

        return ScramMechanism.All.FirstOrDefault(m => string.Equals(m.Name, mechanism, StringComparison.Ordinal)) is { } scram
            ? new ScramExchange(scram, users)
            : null;
    }

    /// <summary>Takes the client's next message.</summary>
    public abstract SaslStep Evaluate(ReadOnlySpan<byte> message);

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The message as text, or the failure for one too large or not UTF-8.</summary>
    private protected SaslStep? Decode(ReadOnlySpan<byte> message, out string text)
    {
        text = "";
        if (message.Length > MaxMessageBytes)
        {
            return SaslStep.Fail($"a {Mechanism} message of {message.Length} bytes, more than {MaxMessageBytes}");
        }

        try
        {
            text = Strict.GetString(message);
            return null;
        }
        catch (DecoderFallbackException)
        {
            return SaslStep.Fail($"a {Mechanism} message that is not UTF-8");
        }
    }
}
