namespace Herald.Kafka;

/// <summary>How a listener's clients connect, as Kafka's <c>security.protocol</c> names it.</summary>
public enum SecurityProtocol
{
    /// <summary>Neither encrypted nor authenticated (<c>PLAINTEXT</c>): every client is <c>User:ANONYMOUS</c>.</summary>
    Plaintext,

    /// <summary>TLS (<c>SSL</c>): a client is the subject of its certificate when it presents one, else anonymous.</summary>
    Ssl,

    /// <summary>SASL without TLS (<c>SASL_PLAINTEXT</c>): authenticated, not encrypted.</summary>
    SaslPlaintext,

    /// <summary>SASL over TLS (<c>SASL_SSL</c>): authenticated and encrypted.</summary>
    SaslSsl,
}

/// <summary>Kafka's names for <see cref="SecurityProtocol"/>.</summary>
public static class SecurityProtocols
{
    /// <summary>Kafka's name: <c>PLAINTEXT</c>, <c>SSL</c>, <c>SASL_PLAINTEXT</c> or <c>SASL_SSL</c>.</summary>
    public static string KafkaName(this SecurityProtocol protocol) => protocol switch
    {
        SecurityProtocol.Ssl => "SSL",
        SecurityProtocol.SaslPlaintext => "SASL_PLAINTEXT",
        SecurityProtocol.SaslSsl => "SASL_SSL",
        _ => "PLAINTEXT",
    };

    /// <summary>The protocol with this Kafka name (case-insensitive).</summary>
    public static bool TryParse(string name, out SecurityProtocol protocol)
    {
        foreach (var candidate in Enum.GetValues<SecurityProtocol>())
        {
            if (string.Equals(candidate.KafkaName(), name, StringComparison.OrdinalIgnoreCase))
            {
                protocol = candidate;
                return true;
            }
        }

        protocol = default;
        return false;
    }

    /// <summary>Whether the protocol wraps connections in TLS.</summary>
    public static bool UsesTls(this SecurityProtocol protocol) => protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;

    /// <summary>Whether clients authenticate with SASL.</summary>
    public static bool UsesSasl(this SecurityProtocol protocol) => protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
}
