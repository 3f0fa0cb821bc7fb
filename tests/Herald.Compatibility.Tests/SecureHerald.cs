using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Herald.Broker;
using Herald.Kafka;
using Herald.Security;
using Herald.Testing;
using Microsoft.Extensions.Logging;

namespace Herald.Compatibility.Tests;

/// <summary>
/// A broker with three secured Kafka listeners on ephemeral loopback ports: SASL_SSL (PLAIN and SCRAM), SASL_PLAINTEXT,
/// and SSL with client certificates required. Its users are alice/alice-secret and bob/bob-secret; its audit log is
/// kept for the tests to read.
/// </summary>
public sealed class SecureHerald : IAsyncDisposable
{
    public const string Password = "alice-secret";

    // Made once per run: RSA keys take a while to generate, and every test may share them.
    private static readonly Lazy<TestCertificates> SharedCertificates = new(() =>
    {
        var certificates = TestCertificates.Create();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => certificates.Dispose();
        return certificates;
    });

    private readonly string _directory;
    private readonly ILoggerFactory _loggers;

    private SecureHerald(string directory, HeraldBroker broker, ILoggerFactory loggers, AuditRecorder audit, TestCertificates certificates, UserStore users)
    {
        _directory = directory;
        Broker = broker;
        _loggers = loggers;
        Audit = audit;
        Certificates = certificates;
        Users = users;
    }

    public HeraldBroker Broker { get; }

    public AuditRecorder Audit { get; }

    public TestCertificates Certificates { get; }

    public UserStore Users { get; }

    public required KafkaServer SaslSsl { get; init; }

    public required KafkaServer SaslPlaintext { get; init; }

    public required KafkaServer MutualTls { get; init; }

    public static async Task<SecureHerald> StartAsync(Func<KafkaServerOptions, KafkaServerOptions>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "herald-secure-" + Guid.NewGuid().ToString("N"));
        var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = directory, DefaultPartitions = 1 });
        var certificates = SharedCertificates.Value;
        var users = UserStore.Open(Path.Combine(directory, "__security"));
        users.SetPassword("alice", Password, ScramCredential.MinIterations);
        users.SetPassword("bob", "bob-secret", ScramCredential.MinIterations);
        var audit = new AuditRecorder();
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(audit).SetMinimumLevel(LogLevel.Debug));
        var serverCertificate = new X509Certificate2Collection(certificates.Server);
        var tls = new TlsOptions { Certificate = () => serverCertificate };
        var loopback = new IPEndPoint(IPAddress.Loopback, 0);
        configure ??= options => options;
        KafkaServer Start(KafkaServerOptions options) => KafkaServer.Start(broker, configure(options with { Listen = loopback }), loggers, users);
        return new SecureHerald(directory, broker, loggers, audit, certificates, users)
        {
            SaslSsl = Start(new KafkaServerOptions { Protocol = SecurityProtocol.SaslSsl, Tls = tls }),
            SaslPlaintext = Start(new KafkaServerOptions { Protocol = SecurityProtocol.SaslPlaintext }),
            MutualTls = Start(new KafkaServerOptions
            {
                Protocol = SecurityProtocol.Ssl,
                Tls = tls with { ClientCertificates = ClientCertificates.Required, ClientAuthorities = [certificates.Authority] },
            }),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await SaslSsl.DisposeAsync();
        await SaslPlaintext.DisposeAsync();
        await MutualTls.DisposeAsync();
        await Broker.DisposeAsync();
        _loggers.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Keeps every line of the <c>Herald.Audit</c> log category.</summary>
    public sealed class AuditRecorder : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public async Task<string> WaitForAsync(Func<string, bool> match, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"No audit line {what}; the audit log has: {string.Join(" | ", _lines)}");
        }

        public ILogger CreateLogger(string categoryName) => categoryName == KafkaServer.AuditCategory ? new Recorder(_lines) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        public void Dispose()
        {
        }

        private sealed class Recorder(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
