using System.Net;
using Herald.Broker;
using Herald.Kafka;

namespace Herald.Compatibility.Tests;

/// <summary>A broker on a fresh data directory with its Kafka listener on an ephemeral loopback port.</summary>
public sealed class HeraldServer : IAsyncDisposable
{
    private HeraldServer(string directory, HeraldBroker broker, KafkaServer server)
    {
        Directory = directory;
        Broker = broker;
        Server = server;
    }

    public string Directory { get; }

    public HeraldBroker Broker { get; }

    public KafkaServer Server { get; }

    public string BootstrapServers => Server.BootstrapServers;

    public static async Task<HeraldServer> StartAsync(KafkaServerOptions? options = null, int defaultPartitions = 1)
    {
        var directory = Path.Combine(Path.GetTempPath(), "herald-compat-" + Guid.NewGuid().ToString("N"));
        var broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = directory, DefaultPartitions = defaultPartitions });
        var server = KafkaServer.Start(broker, (options ?? new KafkaServerOptions()) with { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        return new HeraldServer(directory, broker, server);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Broker.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
