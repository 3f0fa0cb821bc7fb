using System.Text.Json;

namespace Herald.Compatibility.Tests;

/// <summary>kafkajs 2.2.4 over Herald's secured listeners, and refused by them.</summary>
public sealed class SecureKafkaJsTests
{
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
