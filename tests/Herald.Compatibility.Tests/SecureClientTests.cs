using System.Text.Json;

namespace Herald.Compatibility.Tests;

/// <summary>kcat (librdkafka 2.0.2) and kafkajs 2.2.4 over Herald's secured listeners, and refused by them.</summary>
public sealed class SecureClientTests
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

        var (exitCode, output, error) = await ExternalTools.RunAsync("kcat", [.. security, "-L", "-m", "5"]);

        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("topics", output, StringComparison.Ordinal);
        if (refusal is "wrong-password" or "unknown-user")
        {
            Assert.Contains("Authentication failed", error, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("scram")]
    [InlineData("plain")]
    [InlineData("mtls")]
    public async Task Kafkajs_produces_and_consumes(string security)
    {
        await using var herald = await SecureHerald.StartAsync();
        var certificates = herald.Certificates;
        var (broker, config) = security switch
        {
            "scram" => (herald.SaslSsl.BootstrapServers, (object)new { ssl = new { ca = certificates.AuthorityPem }, sasl = new { mechanism = "scram-sha-512", username = "alice", password = SecureHerald.Password } }),
            "plain" => (herald.SaslSsl.BootstrapServers, new { ssl = new { ca = certificates.AuthorityPem }, sasl = new { mechanism = "plain", username = "bob", password = "bob-secret" } }),
            _ => (herald.MutualTls.BootstrapServers, new { ssl = new { ca = certificates.AuthorityPem, cert = certificates.ClientCertificatePem, key = certificates.ClientKeyPem } }),
        };

        var (exitCode, output, error) = await KafkaJsAsync(broker, config);

        Assert.True(exitCode == 0, $"kafkajs over {security} failed: {error}");
        using var result = JsonDocument.Parse(output);
        Assert.Equal(["PaymentProcessed"], result.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData("wrong-password", "KafkaJSSASLAuthenticationError")]
    [InlineData("unknown-user", "KafkaJSSASLAuthenticationError")]
    [InlineData("unknown-ca", "KafkaJS")]
    [InlineData("plaintext-on-tls", "KafkaJS")]
    public async Task Kafkajs_is_refused(string refusal, string expectedError)
    {
        await using var herald = await SecureHerald.StartAsync();
        var certificates = herald.Certificates;
        var (broker, config) = refusal switch
        {
            "wrong-password" => (herald.SaslSsl.BootstrapServers, (object)new { ssl = new { ca = certificates.AuthorityPem }, sasl = new { mechanism = "scram-sha-512", username = "alice", password = "guess" } }),
            "unknown-user" => (herald.SaslSsl.BootstrapServers, new { ssl = new { ca = certificates.AuthorityPem }, sasl = new { mechanism = "scram-sha-256", username = "mallory", password = "guess" } }),
            "unknown-ca" => (herald.MutualTls.BootstrapServers, new { ssl = new { ca = certificates.AuthorityPem, cert = certificates.RogueCertificatePem, key = certificates.RogueKeyPem } }),
            _ => (herald.SaslSsl.BootstrapServers, new { }),
        };

        var (exitCode, _, error) = await KafkaJsAsync(broker, config);

        Assert.Equal(1, exitCode);
        Assert.StartsWith(expectedError, error, StringComparison.Ordinal);
        Assert.DoesNotContain(herald.Audit.Lines, l => l.StartsWith("Authenticated", StringComparison.Ordinal));
    }

    private static async Task<(int ExitCode, string Output, string Error)> KafkaJsAsync(string broker, object security)
    {
        await ExternalTools.EnsureInstalledAsync();
        var node = Path.Combine(ExternalTools.TestsDirectory, "Herald.Compatibility.Tests", "node");
        return await ExternalTools.RunAsync("node", ["scenarios.js", "secure", broker, JsonSerializer.Serialize(security)], workingDirectory: node, timeout: TimeSpan.FromMinutes(2));
    }
}
