using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>Confluent.Kafka (librdkafka 2.x) over Herald's SASL_SSL, SASL_PLAINTEXT and mutual-TLS listeners, and refused by them.</summary>
public sealed class SecurityTests
{
    public enum Refusal
    {
        WrongPassword,
        UnknownUser,
        CertificateFromAnUnknownAuthority,
        PlaintextOnATlsPort,
    }

    [Theory]
    [InlineData(SaslMechanism.ScramSha512)]
    [InlineData(SaslMechanism.ScramSha256)]
    [InlineData(SaslMechanism.Plain)]
    public async Task Produces_and_consumes_over_sasl_ssl(SaslMechanism mechanism)
    {
        await using var herald = await SecureHerald.StartAsync();
        var config = SaslSsl(herald, mechanism, "alice", SecureHerald.Password);

        await RoundTripAsync(config, $"secure-{mechanism}");

        await herald.Audit.WaitForAsync(l => l.Contains("Authenticated User:alice", StringComparison.Ordinal) && l.Contains("SASL_SSL", StringComparison.Ordinal), "for alice");
    }

    [Fact]
    public async Task Librdkafka_authenticates_again_on_the_same_connection_before_its_session_expires()
    {
        await using var herald = await SecureHerald.StartAsync(options => options with { MaxReauthenticationInterval = TimeSpan.FromSeconds(2) });
        var config = SaslSsl(herald, SaslMechanism.ScramSha512, "alice", SecureHerald.Password);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig(config)).Build();

        // Seven seconds of steady producing spans three sessions; each message must still be delivered.
        for (var i = 0; i < 35; i++)
        {
            var delivered = await producer.ProduceAsync("reauthenticated", new Message<string, string> { Key = "k", Value = $"e{i}" }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(i, delivered.Offset.Value);
            await Task.Delay(200);
        }

        // KIP-368: the same client address (so the same connection) authenticated more than once.
        var perConnection = herald.Audit.Lines
            .Where(l => l.StartsWith("Authenticated User:alice from ", StringComparison.Ordinal))
            .GroupBy(l => l.Split(' ')[3])
            .Max(g => g.Count());
        Assert.True(perConnection >= 2, string.Join('\n', herald.Audit.Lines));
    }

    [Fact]
    public async Task Produces_and_consumes_over_sasl_plaintext_with_scram()
    {
        await using var herald = await SecureHerald.StartAsync();
        var config = new ClientConfig
        {
            BootstrapServers = herald.SaslPlaintext.BootstrapServers,
            SecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslPlaintext,
            SaslMechanism = SaslMechanism.ScramSha256,
            SaslUsername = "bob",
            SaslPassword = "bob-secret",
        };

        await RoundTripAsync(config, "secure-plaintext");
    }

    [Fact]
    public async Task Produces_and_consumes_over_mutual_tls_as_the_certificates_subject()
    {
        await using var herald = await SecureHerald.StartAsync();
        var config = MutualTls(herald, herald.Certificates.ClientCertificatePem, herald.Certificates.ClientKeyPem);

        await RoundTripAsync(config, "secure-mtls");

        await herald.Audit.WaitForAsync(l => l.StartsWith($"Authenticated User:{Herald.Testing.TestCertificates.ClientSubject} ", StringComparison.Ordinal), "naming the certificate's subject as Kafka does");
        Assert.DoesNotContain(herald.Audit.Lines, l => l.Contains("Refused", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Refusal.WrongPassword)]
    [InlineData(Refusal.UnknownUser)]
    [InlineData(Refusal.CertificateFromAnUnknownAuthority)]
    [InlineData(Refusal.PlaintextOnATlsPort)]
    public async Task Is_refused(Refusal refusal)
    {
        await using var herald = await SecureHerald.StartAsync();
        var certificates = herald.Certificates;
        var config = refusal switch
        {
            Refusal.WrongPassword => SaslSsl(herald, SaslMechanism.ScramSha512, "alice", "not-the-password"),
            Refusal.UnknownUser => SaslSsl(herald, SaslMechanism.ScramSha512, "mallory", SecureHerald.Password),
            Refusal.CertificateFromAnUnknownAuthority => MutualTls(herald, certificates.RogueCertificatePem, certificates.RogueKeyPem),
            _ => new ClientConfig { BootstrapServers = herald.SaslSsl.BootstrapServers },
        };
        var errors = new ConcurrentQueue<Error>();
        using var admin = new AdminClientBuilder(config).SetErrorHandler((_, error) => errors.Enqueue(error)).Build();

        Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(2))); // the refusal comes at once; this bounds the wait

        if (refusal is Refusal.WrongPassword or Refusal.UnknownUser)
        {
            Assert.Contains(errors, e => e.Code == ErrorCode.SaslAuthenticationFailed || e.Code == ErrorCode.Local_Authentication);
            Assert.Contains(errors, e => e.Reason.Contains("Authentication failed: invalid credentials with SASL mechanism SCRAM-SHA-512", StringComparison.Ordinal));
            await herald.Audit.WaitForAsync(l => l.StartsWith("Authentication failed", StringComparison.Ordinal), "of the failure");
        }
        else
        {
            await herald.Audit.WaitForAsync(l => l.Contains("TLS handshake", StringComparison.Ordinal), "of the failed TLS handshake");
        }

        Assert.DoesNotContain(herald.Audit.Lines, l => l.StartsWith("Authenticated", StringComparison.Ordinal));
    }

    private static ClientConfig SaslSsl(SecureHerald herald, SaslMechanism mechanism, string user, string password) => new()
    {
        BootstrapServers = herald.SaslSsl.BootstrapServers,
        SecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslSsl,
        SaslMechanism = mechanism,
        SaslUsername = user,
        SaslPassword = password,
        SslCaLocation = herald.Certificates.AuthorityPem,
    };

    private static ClientConfig MutualTls(SecureHerald herald, string certificate, string key) => new()
    {
        BootstrapServers = herald.MutualTls.BootstrapServers,
        SecurityProtocol = Confluent.Kafka.SecurityProtocol.Ssl,
        SslCaLocation = herald.Certificates.AuthorityPem,
        SslCertificateLocation = certificate,
        SslKeyLocation = key,
    };

    private static async Task RoundTripAsync(ClientConfig config, string topic)
    {
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig(config) { Acks = Acks.All }).Build())
        {
            var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "order-1", Value = "OrderPlaced" }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig(config) { GroupId = topic + "-group", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        var received = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.Equal("OrderPlaced", received?.Message.Value);
        consumer.Close();
    }
}
