using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Herald.PeerBench;

/// <summary>A broker to publish to, each acknowledged as durably as the peer is configured to be.</summary>
internal interface IPeer : IAsyncDisposable
{
    string Name { get; }

    Task PrepareAsync();

    Task PublishAsync(ReadOnlyMemory<byte> payload);
}

/// <summary>Redis Streams: XADD, acknowledged after the AOF write (fsync per the server's appendfsync).</summary>
internal sealed class RedisPeer(string address) : IPeer
{
    private ConnectionMultiplexer? _redis;
    private IDatabase? _db;

    public string Name => "redis-streams";

    public async Task PrepareAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(address);
        _db = _redis.GetDatabase();
        await _db.KeyDeleteAsync("herald-bench");
    }

    public Task PublishAsync(ReadOnlyMemory<byte> payload) => _db!.StreamAddAsync("herald-bench", "v", payload);

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}

/// <summary>NATS JetStream: a file-store stream, each publish acknowledged by the server.</summary>
internal sealed class NatsPeer(string url) : IPeer
{
    private readonly NatsClient _nats = new(url);
    private INatsJSContext? _js;

    public string Name => "nats-jetstream";

    public async Task PrepareAsync()
    {
        _js = _nats.CreateJetStreamContext();
        try
        {
            await _js.DeleteStreamAsync("HERALDBENCH");
        }
        catch (NatsJSApiException)
        {
        }

        await _js.CreateStreamAsync(new StreamConfig("HERALDBENCH", ["herald.bench"]) { Storage = StreamConfigStorage.File });
    }

    public async Task PublishAsync(ReadOnlyMemory<byte> payload)
    {
        var ack = await _js!.PublishAsync("herald.bench", payload);
        ack.EnsureSuccess();
    }

    public ValueTask DisposeAsync() => _nats.DisposeAsync();
}

/// <summary>RabbitMQ: a quorum queue, each publish confirmed by the broker.</summary>
internal sealed class RabbitPeer(string uri) : IPeer
{
    private IConnection? _connection;
    private IChannel? _channel;

    public string Name => "rabbitmq-quorum";

    public async Task PrepareAsync()
    {
        _connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        _channel = await _connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await _channel.QueueDeleteAsync("herald-bench");
        await _channel.QueueDeclareAsync("herald-bench", durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
    }

    public async Task PublishAsync(ReadOnlyMemory<byte> payload) =>
        await _channel!.BasicPublishAsync(string.Empty, "herald-bench", mandatory: false, new BasicProperties { Persistent = true }, payload);

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
