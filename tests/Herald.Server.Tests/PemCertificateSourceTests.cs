using Herald.Testing;

namespace Herald.Server.Tests;

public sealed class PemCertificateSourceTests
{
    [Fact]
    public async Task A_renewed_certificate_is_served_once_its_files_change_and_a_half_written_one_is_not()
    {
        using var first = TestCertificates.Create();
        using var renewed = TestCertificates.Create();
        var directory = Directory.CreateTempSubdirectory("herald-pem").FullName;
        var (certificate, key) = (Path.Combine(directory, "server.pem"), Path.Combine(directory, "server.key"));
        File.Copy(first.ServerCertificatePem, certificate);
        File.Copy(first.ServerKeyPem, key);
        var source = new PemCertificateSource(certificate, key, TimeSpan.FromMilliseconds(50));
        Assert.Equal(first.Server.Thumbprint, source.Current()[0].Thumbprint);
        Assert.True(source.Current()[0].HasPrivateKey);

        // Half-way through a renewal: the new certificate beside the old key. The last good pair goes on serving.
        File.Copy(renewed.ServerCertificatePem, certificate, overwrite: true);
        File.SetLastWriteTimeUtc(certificate, DateTime.UtcNow.AddSeconds(1));
        await Task.Delay(100);
        Assert.Equal(first.Server.Thumbprint, source.Current()[0].Thumbprint);

        File.Copy(renewed.ServerKeyPem, key, overwrite: true);
        File.SetLastWriteTimeUtc(key, DateTime.UtcNow.AddSeconds(2));
        await Task.Delay(100);
        Assert.Equal(renewed.Server.Thumbprint, source.Current()[0].Thumbprint);
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public void Missing_or_mismatched_files_are_refused_naming_them()
    {
        using var certificates = TestCertificates.Create();

        var missing = Assert.Throws<ArgumentException>(() => new PemCertificateSource("/nonexistent/server.pem", certificates.ServerKeyPem));
        Assert.Contains("/nonexistent/server.pem", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PemCertificateSource(certificates.ServerCertificatePem, certificates.ClientKeyPem));
        Assert.Throws<ArgumentException>(() => PemCertificateSource.LoadAuthorities(certificates.ServerKeyPem));
    }
}
