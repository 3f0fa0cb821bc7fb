using Herald.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Internal;

/// <summary>Binds the Kafka listeners once the broker is open, and closes them (and their connections) first on the way down.</summary>
internal sealed class KafkaListenerService(HeraldServerOptions options, BrokerService broker, UsersService users, ILoggerFactory loggers) : IHostedService
{
    private IReadOnlyList<KafkaServer>? _servers;

    /// <summary>The bound listeners, in the order configured; <see cref="NotReadyException"/> before they are.</summary>
    public IReadOnlyList<KafkaServer> Servers => Volatile.Read(ref _servers) ?? throw new NotReadyException("The Kafka listener is not bound yet.");

    public bool IsBound => Volatile.Read(ref _servers) is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var authorizer = new Herald.Security.Authorizer(options.Security.SuperUserPrincipals());
        var started = new List<KafkaServer>();
        try
        {
            foreach (var listener in options.KafkaListeners)
            {
                started.Add(KafkaServer.Start(broker.Broker, listener, loggers, users.Users, authorizer));
            }
        }
        catch
        {
            await StopAsync(started).ConfigureAwait(false);
            throw;
        }

        Volatile.Write(ref _servers, started);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _servers, null) is { } servers)
        {
            await StopAsync(servers).ConfigureAwait(false);
        }
    }

    private static async Task StopAsync(IEnumerable<KafkaServer> servers)
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
