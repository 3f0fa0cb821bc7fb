using Herald.Broker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Server.Internal;

/// <summary>Opens the broker when the host starts (recovering what a crash left) and closes it cleanly when it stops.</summary>
internal sealed class BrokerService(HeraldServerOptions options, ILoggerFactory loggers, TimeProvider time) : IHostedService
{
    private HeraldBroker? _broker;

    /// <summary>The open broker; <see cref="NotReadyException"/> before the host has started it.</summary>
    public HeraldBroker Broker => Volatile.Read(ref _broker) ?? throw new NotReadyException("The broker is still opening its data.");

    public bool IsOpen => Volatile.Read(ref _broker) is not null;

    public async Task StartAsync(CancellationToken cancellationToken) =>
        Volatile.Write(ref _broker, await HeraldBroker.StartAsync(options.Broker, loggers, time, cancellationToken).ConfigureAwait(false));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _broker, null) is { } broker)
        {
            await broker.DisposeAsync().ConfigureAwait(false);
        }
    }
}
