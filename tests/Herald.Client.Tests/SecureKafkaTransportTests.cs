using System.Net;
using Herald.Broker;
using Herald.Kafka;
using Herald.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Herald.Client.Tests;

/// <summary>The SDK's Kafka transport on a SASL listener: every client it makes connects with the same credentials.</summary>
public sealed class SecureKafkaTransportTests
{
    [Fact]
    public async Task Publishes_and_consumes_through_a_sasl_listener_with_the_connection_settings()
    {
        await using var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true });
        var users = UserStore.InMemory();
        users.SetPassword("orders-service", "s3cret", ScramCredential.MinIterations);
        await using var server = KafkaServer.Start(broker, new KafkaServerOptions { Protocol = SecurityProtocol.SaslPlaintext, Listen = new IPEndPoint(IPAddress.Loopback, 0) }, users: users);
        var recorder = new Recorder();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(recorder);
        builder.Services.AddHerald(h => h
            .UseKafka(server.BootstrapServers, configureConnection: connection =>
            {
                connection.SecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslPlaintext;
                connection.SaslMechanism = Confluent.Kafka.SaslMechanism.ScramSha256;
                connection.SaslUsername = "orders-service";
                connection.SaslPassword = "s3cret";
            })
            .MapTopic<OrderPlaced>("secure-orders")
            .AddConsumer<OrderHandler>("secure-orders", "billing"));
        using var host = builder.Build();
        await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));

        await host.Services.GetRequiredService<IEventPublisher>().PublishAsync(new OrderPlaced("o-1", 1, 12m)).WaitAsync(TimeSpan.FromSeconds(30));

        await recorder.WaitUntilAsync(h => h.Count == 1);
        Assert.Equal("o-1", recorder.Snapshot().Single().Event.OrderId);
        Assert.Contains("secure-orders", broker.ListTopics().Select(t => t.Name));
        await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }
}
