using Herald.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Internal;

/// <summary>Binds the Kafka listener once the broker is open, and closes it (and its connections) first on the way down.</summary>
internal sealed class KafkaListenerService(HeraldServerOptions options, BrokerService broker, ILoggerFactory loggers) : IHostedService
{
    private KafkaServer? _server;

    /// <summary>The bound listener; <see cref="NotReadyException"/> before it is.</summary>
    public KafkaServer Server => Volatile.Read(ref _server) ?? throw new NotReadyException("The Kafka listener is not bound yet.");

    public bool IsBound => Volatile.Read(ref _server) is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _server, KafkaServer.Start(broker.Broker, options.Kafka, loggers));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
