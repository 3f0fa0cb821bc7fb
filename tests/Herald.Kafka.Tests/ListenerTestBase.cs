using System.Net;
using Herald.Broker;

namespace Herald.Kafka.Tests;

/// <summary>An in-memory broker with its Kafka listener on an ephemeral loopback port, fresh for each test.</summary>
public abstract class ListenerTestBase(KafkaServerOptions options) : IAsyncLifetime
{
    private protected HeraldBroker Broker { get; private set; } = null!;

    private protected KafkaServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        Server = KafkaServer.Start(Broker, options with { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
