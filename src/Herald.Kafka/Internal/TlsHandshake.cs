using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Herald.Kafka.Internal;

/// <summary>
/// The server's side of a listener's TLS handshakes: TLS 1.2 and 1.3 only, the certificate its source gives (taken
/// again when the source hands out a new one, so a renewed certificate is used without a restart), and client
/// certificates checked against the configured authorities.
/// </summary>
internal sealed class TlsHandshake(TlsOptions options)
{
    private readonly Lock _contextLock = new();
    private X509Certificate2Collection? _certificates;
    private SslStreamCertificateContext? _context;

    /// <summary>Wraps the stream in TLS; the client's certificate, checked, when it gave one.</summary>
    /// <exception cref="AuthenticationException">The handshake failed: no common protocol, an untrusted or missing client certificate.</exception>
    public async Task<(SslStream Stream, X509Certificate2? ClientCertificate)> AuthenticateAsync(Stream inner, CancellationToken cancellationToken)
    {
        var stream = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.HandshakeTimeout);
            await stream.AuthenticateAsServerAsync(ServerOptions(), timeout.Token).ConfigureAwait(false);
            var certificate = stream.RemoteCertificate is { } remote ? remote as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(remote.GetRawCertData()) : null;
            return (stream, certificate);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = Context(),
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        ClientCertificateRequired = options.ClientCertificates != ClientCertificates.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is null
            ? options.ClientCertificates != ClientCertificates.Required
            : IsTrusted(certificate),
    };

    private SslStreamCertificateContext Context()
    {
        var certificates = options.Certificate();
        lock (_contextLock)
        {
            if (!ReferenceEquals(certificates, _certificates))
            {
                if (certificates.Count == 0 || !certificates[0].HasPrivateKey)
                {
                    throw new AuthenticationException("The listener's TLS certificate has no private key.");
                }

                _context = SslStreamCertificateContext.Create(certificates[0], [.. certificates.Skip(1)], offline: true);
                _certificates = certificates;
            }

            return _context!;
        }
    }

    private bool IsTrusted(X509Certificate certificate)
    {
        using var leaf = certificate as X509Certificate2 is { } typed ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (options.ClientAuthorities is { } authorities)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        }

        return chain.Build(leaf ?? (X509Certificate2)certificate);
    }
}
