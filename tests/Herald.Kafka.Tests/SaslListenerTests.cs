using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Text;
using Herald.Broker;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Security;
using Herald.Testing;

namespace Herald.Kafka.Tests;

/// <summary>The SASL gate of a SASL_PLAINTEXT listener, driven byte by byte, including by hostile clients.</summary>
public sealed class SaslListenerTests : IAsyncLifetime
{
    private const string Password = "alice-secret";
    private static readonly TimeSpan FailureDelay = TimeSpan.FromMilliseconds(100);
    private readonly UserStore _users = UserStore.InMemory();
    private HeraldBroker _broker = null!;
    private KafkaServer _server = null!;
    private KafkaServer? _reauthenticating;

    public async Task InitializeAsync()
    {
        _users.SetPassword("alice", Password, ScramCredential.MinIterations);
        _users.SetPassword("bob", "bob-secret", ScramCredential.MinIterations);
        _broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        _server = Start(new KafkaServerOptions { AuthenticationTimeout = TimeSpan.FromSeconds(2) });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_reauthenticating is not null)
        {
            await _reauthenticating.DisposeAsync();
        }

        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Scram_authenticates_and_then_every_api_is_served()
    {
        using var client = await ConnectAsync();
        await ApiVersionsAsync(client);

        var (response, _) = await ScramAsync(client, "alice", Password);

        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(0, response.SessionLifetimeMs);
        Assert.NotNull(await MetadataAsync(client));
    }

    [Theory]
    [InlineData(MetadataRequest.ApiKey)]
    [InlineData(ProduceRequest.ApiKey)]
    [InlineData(FetchRequest.ApiKey)]
    [InlineData(CreateTopicsRequest.ApiKey)]
    public async Task A_request_before_authenticating_closes_the_connection_unanswered(short apiKey)
    {
        using var client = await ConnectAsync();
        await ApiVersionsAsync(client);

        await client.SendAsync(RawClient.Frame(apiKey, 0, 7, body: null, flexibleHeader: false));

        Assert.Null(await client.ReceiveAsync());
        Assert.Empty(_broker.ListTopics());
    }

    [Fact]
    public async Task Only_sasl_authenticate_may_follow_the_handshake()
    {
        using var twice = await ConnectAsync();
        Assert.Equal(0, (await HandshakeAsync(twice, "SCRAM-SHA-512")).ErrorCode);
        await twice.SendAsync(RawClient.Frame(SaslHandshakeRequest.ApiKey, 1, 2, new SaslHandshakeRequest { Mechanism = "SCRAM-SHA-512" }, flexibleHeader: false));
        Assert.Null(await twice.ReceiveAsync());

        using var metadata = await ConnectAsync();
        await HandshakeAsync(metadata, "PLAIN");
        await metadata.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 2, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Null(await metadata.ReceiveAsync());
    }

    [Fact]
    public async Task An_unknown_mechanism_is_answered_with_the_enabled_ones_and_the_connection_closed()
    {
        using var client = await ConnectAsync();

        var response = await HandshakeAsync(client, "GSSAPI");

        Assert.Equal((short)ErrorCode.UnsupportedSaslMechanism, response.ErrorCode);
        Assert.Equal(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], response.Mechanisms);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_handshake_v0_which_raw_tokens_would_follow_is_refused()
    {
        using var client = await ConnectAsync();
        await client.SendAsync(RawClient.Frame(SaslHandshakeRequest.ApiKey, 0, 1, new SaslHandshakeRequest { Mechanism = "PLAIN" }, flexibleHeader: false));

        Assert.Equal((short)ErrorCode.IllegalSaslState, Read(await client.ReceiveAsync(), SaslHandshakeResponse.Read, 0).ErrorCode);
        Assert.Null(await client.ReceiveAsync());
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("mallory", Password)]
    public async Task Wrong_credentials_fail_alike_late_and_close_the_connection(string user, string password)
    {
        using var client = await ConnectAsync();
        await HandshakeAsync(client, "SCRAM-SHA-256");
        var scram = new ScramClient(ScramMechanism.Sha256, user, password);
        var first = await AuthenticateAsync(client, scram.First());
        Assert.Equal(0, first.ErrorCode);

        var timer = Stopwatch.StartNew();
        var final = await AuthenticateAsync(client, scram.Final(Encoding.UTF8.GetString(first.AuthBytes)));

        Assert.True(timer.Elapsed >= FailureDelay - TimeSpan.FromMilliseconds(10), $"answered after {timer.Elapsed}");
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, final.ErrorCode);
        Assert.Equal("Authentication failed: invalid credentials with SASL mechanism SCRAM-SHA-256", final.ErrorMessage);
        Assert.Empty(final.AuthBytes);
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_wrong_nonce_a_truncated_message_or_a_replayed_proof_fails()
    {
        // Wrong nonce: the client's own, without the server's part.
        using (var client = await ConnectAsync())
        {
            await HandshakeAsync(client, "SCRAM-SHA-512");
            var scram = new ScramClient(ScramMechanism.Sha512, "alice", Password, "my-nonce");
            var first = await AuthenticateAsync(client, scram.First());
            var final = await AuthenticateAsync(client, scram.Final(Encoding.UTF8.GetString(first.AuthBytes), nonceOverride: "my-nonce"));
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, final.ErrorCode);
            Assert.Null(await client.ReceiveAsync());
        }

        // Truncated: the client-first message cut in the middle.
        using (var client = await ConnectAsync())
        {
            await HandshakeAsync(client, "SCRAM-SHA-512");
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, (await AuthenticateAsync(client, "n,,n=ali")).ErrorCode);
            Assert.Null(await client.ReceiveAsync());
        }

        // Replayed: a proof that passed once, sent again on a new connection with the same client nonce.
        string replayed;
        using (var client = await ConnectAsync())
        {
            await HandshakeAsync(client, "SCRAM-SHA-512");
            var scram = new ScramClient(ScramMechanism.Sha512, "alice", Password, "fixed-nonce");
            var first = await AuthenticateAsync(client, scram.First());
            replayed = scram.Final(Encoding.UTF8.GetString(first.AuthBytes));
            Assert.Equal(0, (await AuthenticateAsync(client, replayed)).ErrorCode);
        }

        using (var client = await ConnectAsync())
        {
            await HandshakeAsync(client, "SCRAM-SHA-512");
            await AuthenticateAsync(client, new ScramClient(ScramMechanism.Sha512, "alice", Password, "fixed-nonce").First());
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, (await AuthenticateAsync(client, replayed)).ErrorCode);
            Assert.Null(await client.ReceiveAsync());
        }
    }

    [Fact]
    public async Task An_oversized_token_fails_and_a_frame_beyond_512_KiB_is_refused_before_anything_is_allocated()
    {
        using (var client = await ConnectAsync())
        {
            await HandshakeAsync(client, "PLAIN");
            var token = "\0alice\0" + new string('x', SaslExchange.MaxMessageBytes);
            Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, (await AuthenticateAsync(client, token)).ErrorCode);
            Assert.Null(await client.ReceiveAsync());
        }

        using (var client = await ConnectAsync())
        {
            await HandshakeAsync(client, "PLAIN");
            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, (512 * 1024) + 1);
            await client.SendAsync(prefix);
            Assert.Null(await client.ReceiveAsync());
            Assert.Equal(0, _server.QueuedRequestBytes);
        }
    }

    [Fact]
    public async Task A_flood_of_handshakes_that_never_authenticate_is_closed_and_the_listener_keeps_serving()
    {
        var flood = new List<RawClient>();
        try
        {
            for (var i = 0; i < 200; i++)
            {
                var client = await ConnectAsync();
                flood.Add(client);
                await client.SendAsync(RawClient.Frame(SaslHandshakeRequest.ApiKey, 1, 1, new SaslHandshakeRequest { Mechanism = "SCRAM-SHA-512" }, flexibleHeader: false));
            }

            using var honest = await ConnectAsync();
            await HandshakeAsync(honest, "PLAIN");
            Assert.Equal(0, (await AuthenticateAsync(honest, $"\0bob\0bob-secret")).ErrorCode);
            Assert.NotNull(await MetadataAsync(honest));

            // Each flooding connection got its handshake answered, then is closed for not authenticating in time.
            foreach (var client in flood)
            {
                Assert.NotNull(await client.ReceiveAsync());
                Assert.Null(await client.ReceiveAsync(TimeSpan.FromSeconds(15)));
            }
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Kip_368_sessions_expire_unless_the_same_principal_authenticates_again()
    {
        var lifetime = TimeSpan.FromSeconds(1);
        _reauthenticating = Start(new KafkaServerOptions { MaxReauthenticationInterval = lifetime });

        using (var expiring = await ConnectAsync(_reauthenticating))
        {
            var (response, _) = await ScramAsync(expiring, "alice", Password);
            Assert.Equal((long)lifetime.TotalMilliseconds, response.SessionLifetimeMs);
            Assert.NotNull(await MetadataAsync(expiring));
            await Task.Delay(lifetime + TimeSpan.FromMilliseconds(200));
            await expiring.SendAsync(RawClient.Frame(MetadataRequest.ApiKey, 1, 9, new MetadataRequest { Topics = [] }, flexibleHeader: false));
            Assert.Null(await expiring.ReceiveAsync());
        }

        using (var renewing = await ConnectAsync(_reauthenticating))
        {
            await ScramAsync(renewing, "alice", Password);
            await Task.Delay(lifetime / 2);
            Assert.Equal(0, (await ScramAsync(renewing, "alice", Password)).Response.ErrorCode);
            await Task.Delay(lifetime * 0.7);
            Assert.NotNull(await MetadataAsync(renewing)); // past the first session's end
        }

        using var impostor = await ConnectAsync(_reauthenticating);
        await ScramAsync(impostor, "alice", Password);
        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, (await ScramAsync(impostor, "bob", "bob-secret")).Response.ErrorCode);
        Assert.Null(await impostor.ReceiveAsync());
    }

    private KafkaServer Start(KafkaServerOptions options) => KafkaServer.Start(
        _broker,
        options with { Protocol = SecurityProtocol.SaslPlaintext, Listen = new IPEndPoint(IPAddress.Loopback, 0), FailedAuthenticationDelay = FailureDelay },
        users: _users);

    private Task<RawClient> ConnectAsync(KafkaServer? server = null) => RawClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, (server ?? _server).LocalEndPoint.Port));

    private static async Task ApiVersionsAsync(RawClient client)
    {
        await client.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 1, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Equal(0, Read(await client.ReceiveAsync(), ApiVersionsResponse.Read, 0).ErrorCode);
    }

    private static async Task<SaslHandshakeResponse> HandshakeAsync(RawClient client, string mechanism)
    {
        await client.SendAsync(RawClient.Frame(SaslHandshakeRequest.ApiKey, 1, 1, new SaslHandshakeRequest { Mechanism = mechanism }, flexibleHeader: false));
        return Read(await client.ReceiveAsync(), SaslHandshakeResponse.Read, 1);
    }

    private static async Task<SaslAuthenticateResponse> AuthenticateAsync(RawClient client, string message)
    {
        await client.SendAsync(RawClient.Frame(SaslAuthenticateRequest.ApiKey, 1, 2, new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes(message) }, flexibleHeader: false));
        return Read(await client.ReceiveAsync(), SaslAuthenticateResponse.Read, 1);
    }

    private static async Task<(SaslAuthenticateResponse Response, ScramClient Client)> ScramAsync(RawClient client, string user, string password)
    {
        Assert.Equal(0, (await HandshakeAsync(client, "SCRAM-SHA-512")).ErrorCode);
        var scram = new ScramClient(ScramMechanism.Sha512, user, password);
        var first = await AuthenticateAsync(client, scram.First());
        var final = await AuthenticateAsync(client, scram.Final(Encoding.UTF8.GetString(first.AuthBytes)));
        if (final.ErrorCode == 0)
        {
            Assert.True(scram.VerifiesServer(Encoding.UTF8.GetString(final.AuthBytes)));
        }

        return (final, scram);
    }

    private static async Task<MetadataResponse?> MetadataAsync(RawClient client)
    {
        await client.SendAsync(RawClient.Frame(MetadataRequest.ApiKey, 1, 3, new MetadataRequest { Topics = [] }, flexibleHeader: false));
        var response = await client.ReceiveAsync();
        return response is null ? null : Read(response, MetadataResponse.Read, 1);
    }

    private static T Read<T>(byte[]? response, MessageReader<T> read, short version)
    {
        Assert.NotNull(response);
        var reader = new KafkaReader(response.AsMemory(4)); // after the correlation id; these versions have no tagged header fields
        return read(ref reader, version);
    }
}
