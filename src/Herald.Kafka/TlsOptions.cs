using System.Security.Cryptography.X509Certificates;

namespace Herald.Kafka;

/// <summary>
/// The TLS side of a listener: its certificate, and how clients' certificates are checked. TLS 1.2 and 1.3 only.
/// </summary>
public sealed record TlsOptions
{
    /// <summary>
    /// The server's certificate with its private key, and any intermediates after it. Called for every handshake, so a
    /// source that reloads its files changes the certificate without a restart.
    /// </summary>
    public required Func<X509Certificate2Collection> Certificate { get; init; }

    /// <summary>Whether clients are asked for certificates. Defaults to <see cref="Kafka.ClientCertificates.None"/>.</summary>
    public ClientCertificates ClientCertificates { get; init; } = ClientCertificates.None;

    /// <summary>
    /// The authorities client certificates must chain to; null trusts the system's store. Only these are trusted when
    /// given, not the system's as well.
    /// </summary>
    public X509Certificate2Collection? ClientAuthorities { get; init; }

    /// <summary>How long a client has to complete the TLS handshake. Defaults to 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Certificate);
        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The TLS HandshakeTimeout must be positive, got {HandshakeTimeout}.");
        }
    }
}
