namespace Herald.Compatibility.Tests;

/// <summary>kcat (librdkafka 2.0.2) over Herald's secured listeners, and refused by them.</summary>
public sealed class SecureKcatTests
{
    [Fact]
    public async Task Kcat_produces_and_consumes_over_sasl_ssl_with_scram_sha_512_and_with_plain_and_mutual_tls()
    {
        await ExternalTools.EnsureInstalledAsync();
        await using var herald = await SecureHerald.StartAsync();
        var certificates = herald.Certificates;
        string[] scram = ["-b", herald.SaslSsl.BootstrapServers, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=alice", "-X", $"sasl.password={SecureHerald.Password}", "-X", $"ssl.ca.location={certificates.AuthorityPem}"];
        string[] plain = ["-b", herald.SaslSsl.BootstrapServers, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=bob", "-X", "sasl.password=bob-secret", "-X", $"ssl.ca.location={certificates.AuthorityPem}"];
        string[] mutual = ["-b", herald.MutualTls.BootstrapServers, "-X", "security.protocol=SSL", "-X", $"ssl.ca.location={certificates.AuthorityPem}", "-X", $"ssl.certificate.location={certificates.ClientCertificatePem}", "-X", $"ssl.key.location={certificates.ClientKeyPem}"];

        foreach (var (name, security) in new[] { ("scram", scram), ("plain", plain), ("mtls", mutual) })
        {
            var topic = $"kcat-secure-{name}";
            var (produced, _, produceError) = await ExternalTools.RunAsync("kcat", [.. security, "-P", "-t", topic], input: $"OrderShipped via {name}\n");
            Assert.True(produced == 0, $"{name}: {produceError}");
            var (consumed, output, consumeError) = await ExternalTools.RunAsync("kcat", [.. security, "-C", "-t", topic, "-o", "beginning", "-e"]);
            Assert.True(consumed == 0, $"{name}: {consumeError}");
            Assert.Equal($"OrderShipped via {name}", output.Trim());
        }
    }

    [Theory]
    [InlineData("wrong-password")]
    [InlineData("unknown-user")]
    [InlineData("unknown-ca")]
    [InlineData("plaintext-on-tls")]
    public async Task Kcat_is_refused(string refusal)
    {
        await ExternalTools.EnsureInstalledAsync();
        await using var herald = await SecureHerald.StartAsync();
        var certificates = herald.Certificates;
        string[] security = refusal switch
        {
            "wrong-password" => ["-b", herald.SaslSsl.BootstrapServers, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=alice", "-X", "sasl.password=guess", "-X", $"ssl.ca.location={certificates.AuthorityPem}"],
            "unknown-user" => ["-b", herald.SaslSsl.BootstrapServers, "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-256", "-X", "sasl.username=mallory", "-X", "sasl.password=guess", "-X", $"ssl.ca.location={certificates.AuthorityPem}"],
            "unknown-ca" => ["-b", herald.MutualTls.BootstrapServers, "-X", "security.protocol=SSL", "-X", $"ssl.ca.location={certificates.AuthorityPem}", "-X", $"ssl.certificate.location={certificates.RogueCertificatePem}", "-X", $"ssl.key.location={certificates.RogueKeyPem}"],
            _ => ["-b", herald.SaslSsl.BootstrapServers],
        };

        var (exitCode, output, error) = await ExternalTools.RunAsync("kcat", [.. security, "-L", "-m", "2"]);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("topics", output, StringComparison.Ordinal);
        if (refusal is "wrong-password" or "unknown-user")
        {
            Assert.Contains("Authentication failed", error, StringComparison.Ordinal);
        }
    }
}
