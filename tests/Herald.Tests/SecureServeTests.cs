using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Herald.Testing;

namespace Herald.Tests;

/// <summary><c>herald serve</c> with SASL_SSL beside PLAINTEXT, as an operator would run it.</summary>
public sealed class SecureServeTests
{
    [Fact]
    public async Task A_sasl_ssl_listener_on_every_address_admits_the_first_administrator_who_survives_kill_9()
    {
        using var certificates = TestCertificates.Create();
        var securePort = FreePort();
        var environment = new Dictionary<string, string> { ["HERALD_ADMIN_PASSWORD"] = "first-secret" };
        using var program = new HeraldProgram { Environment = environment };

        // No --allow-anonymous: the listener other machines can reach authenticates; the plaintext one is loopback only.
        await using var served = await ServedHerald.StartAsync(
            program, "--kafka", $"SASL_SSL://0.0.0.0:{securePort}", "--tls-cert", certificates.ServerCertificatePem, "--tls-key", certificates.ServerKeyPem);
        await served.WaitForLogAsync($"SASL_SSL://127.0.0.1:{securePort}");
        Assert.DoesNotContain(served.Log, l => l.Contains("first-secret", StringComparison.Ordinal));

        await RoundTripAsync(Scram(securePort, certificates, "first-secret"), "secure-serve");
        Assert.Contains("Authentication failed: invalid credentials with SASL mechanism SCRAM-SHA-512", Refusal(Scram(securePort, certificates, "guess")), StringComparison.Ordinal);

        // The administrator was written durably at first start; after kill -9 and without the secret it still works.
        environment.Remove("HERALD_ADMIN_PASSWORD");
        await served.RestartAfterKillAsync();
        await RoundTripAsync(Scram(securePort, certificates, "first-secret"), "secure-serve-again");
    }

    [Theory]
    [InlineData("SASL_PLAINTEXT://127.0.0.1:0", "could admit no one: no user exists")]
    [InlineData("SSL://127.0.0.1:0", "needs --tls-cert and --tls-key")]
    [InlineData("SASL_TLS://127.0.0.1:0", "PROTOCOL one of PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")]
    public async Task A_listener_that_cannot_work_is_a_usage_error(string listener, string message)
    {
        using var herald = new HeraldProgram();

        var (exit, _, error) = await herald.RunAsync(null, "serve", "--kafka", "127.0.0.1:0", "--kafka", listener, "--http", "none");

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private static ClientConfig Scram(int port, TestCertificates certificates, string password) => new()
    {
        BootstrapServers = $"127.0.0.1:{port}",
        SecurityProtocol = SecurityProtocol.SaslSsl,
        SaslMechanism = SaslMechanism.ScramSha512,
        SaslUsername = "admin",
        SaslPassword = password,
        SslCaLocation = certificates.AuthorityPem,
    };

    private static string Refusal(ClientConfig config)
    {
        var errors = new ConcurrentQueue<Error>();
        using var admin = new AdminClientBuilder(config).SetErrorHandler((_, error) => errors.Enqueue(error)).Build();
        Assert.ThrowsAny<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(5)));
        return string.Join(" | ", errors.Select(e => $"{e.Code}: {e.Reason}"));
    }

    private static async Task RoundTripAsync(ClientConfig config, string topic)
    {
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig(config)).Build())
        {
            var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "InvoiceIssued" }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        }

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig(config) { GroupId = topic, AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        Assert.Equal("InvoiceIssued", consumer.Consume(TimeSpan.FromSeconds(30))?.Message.Value);
        consumer.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
