using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Herald.Testing;

/// <summary>
/// Certificates made for one test run with <see cref="CertificateRequest"/>, none checked in: a CA, a server certificate
/// for 127.0.0.1 and localhost, a client certificate the CA signed, and one from a CA nobody trusts. Each is also
/// written as PEM files for kcat, kafkajs and librdkafka.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(string directory) => Directory = directory;

    public string Directory { get; }

    public required X509Certificate2 Authority { get; init; }

    public required X509Certificate2 Server { get; init; }

    public required X509Certificate2 Client { get; init; }

    public required X509Certificate2 RogueClient { get; init; }

    /// <summary>The client certificate's subject, as Kafka writes its principal.</summary>
    public const string ClientSubject = "CN=alice,OU=Orders,O=Shop";

    public string AuthorityPem => Path.Combine(Directory, "ca.pem");

    public string ServerCertificatePem => Path.Combine(Directory, "server.pem");

    public string ServerKeyPem => Path.Combine(Directory, "server.key");

    public string ClientCertificatePem => Path.Combine(Directory, "client.pem");

    public string ClientKeyPem => Path.Combine(Directory, "client.key");

    public string RogueCertificatePem => Path.Combine(Directory, "rogue.pem");

    public string RogueKeyPem => Path.Combine(Directory, "rogue.key");

    public static TestCertificates Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), "herald-certs-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        using var authorityKey = RSA.Create(2048);
        var authority = CreateAuthority("CN=Herald Test CA", authorityKey);
        using var rogueKey = RSA.Create(2048);
        var rogueAuthority = CreateAuthority("CN=Somebody Else's CA", rogueKey);

        var server = Issue(authority, "CN=localhost", serverAuth: true);
        var client = Issue(authority, "CN=alice, OU=Orders, O=Shop", serverAuth: false);
        var rogue = Issue(rogueAuthority, "CN=alice, OU=Orders, O=Shop", serverAuth: false);
        var certificates = new TestCertificates(directory) { Authority = authority, Server = server, Client = client, RogueClient = rogue };
        File.WriteAllText(certificates.AuthorityPem, authority.ExportCertificatePem());
        WritePair(server, certificates.ServerCertificatePem, certificates.ServerKeyPem);
        WritePair(client, certificates.ClientCertificatePem, certificates.ClientKeyPem);
        WritePair(rogue, certificates.RogueCertificatePem, certificates.RogueKeyPem);
        return certificates;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static X509Certificate2 CreateAuthority(string subject, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, bool serverAuth)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(29), serial);
        return issued.CopyWithPrivateKey(key);
    }

    private static void WritePair(X509Certificate2 certificate, string certificatePath, string keyPath)
    {
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }
}
