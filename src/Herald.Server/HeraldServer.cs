using System.Net;
using Herald.Broker;
using Herald.EventSourcing;
using Herald.Kafka;
using Herald.Server.Api;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Server;

/// <summary>
/// One host (Microsoft.Extensions.Hosting, Kestrel) that runs the broker on its data directory, the Kafka listener,
/// and on HTTP the API under <c>/api/v1</c>, <c>/openapi/v1.json</c>, <c>/metrics</c>, <c>/health/live</c>,
/// <c>/health/ready</c> and the console at <c>/</c>. This is what <c>herald serve</c> runs; tests and applications can
/// start it in process. Stopping it closes the listener, then the broker, cleanly.
/// </summary>
public sealed class HeraldServer : IAsyncDisposable
{
    private readonly IHost _host;

    private HeraldServer(IHost host, Uri? httpAddress)
    {
        _host = host;
        HttpAddress = httpAddress;
    }

    /// <summary>The broker the server runs.</summary>
    public HeraldBroker Broker => _host.Services.GetRequiredService<BrokerService>().Broker;

    /// <summary>The first Kafka listener (<see cref="HeraldServerOptions.Kafka"/>), with its bound and advertised addresses.</summary>
    public KafkaServer Kafka => KafkaListeners[0];

    /// <summary>Every Kafka listener, in the order of <see cref="HeraldServerOptions.KafkaListeners"/>.</summary>
    public IReadOnlyList<KafkaServer> KafkaListeners => _host.Services.GetRequiredService<KafkaListenerService>().Servers;

    /// <summary>The users SASL clients authenticate as.</summary>
    public Herald.Security.UserStore Users => _host.Services.GetRequiredService<UsersService>().Users;

    /// <summary>The event store the server shows (<see cref="HeraldServerOptions.EventStore"/>), or null when it shows none.</summary>
    public IEventStore? EventStore => _host.Services.GetRequiredService<EventStoreService>() is { IsConfigured: true } service ? service.Store : null;

    /// <summary>The HTTP base address actually bound (port 0 resolved), such as <c>http://127.0.0.1:8080/</c>; null without HTTP.</summary>
    public Uri? HttpAddress { get; }

    /// <summary>The host's services, for an application that composes more into it.</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Opens the data, binds the listeners and returns once all of them are up.</summary>
    /// <param name="options">What to run; validated here.</param>
    /// <param name="logging">How to log; defaults to <see cref="ConsoleLogging"/>.</param>
    /// <param name="cancellationToken">Stops a start that takes too long (a long recovery, say).</param>
    /// <exception cref="ArgumentException">An option is out of range, or a SASL listener has no user to admit.</exception>
    /// <exception cref="IOException">A listener's address is taken, or the data directory cannot be opened.</exception>
    public static async Task<HeraldServer> StartAsync(HeraldServerOptions options, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logging ??= ConsoleLogging;
        var host = options.Http is { } http ? BuildWeb(options, http, logging) : BuildPlain(options, logging);
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await StopQuietlyAsync(host).ConfigureAwait(false);
            throw;
        }

        return new HeraldServer(host, options.Http is null ? null : BoundAddress(host));
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C, or <see cref="DisposeAsync"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _host.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the HTTP side, the Kafka listener, and closes the broker, in that order.</summary>
    public async ValueTask DisposeAsync() => await StopQuietlyAsync(_host).ConfigureAwait(false);

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }
        }
    }

    /// <summary>The server's default logging: single-line console output at Information, ASP.NET Core's own at Warning.</summary>
    public static void ConsoleLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(console => console.SingleLine = true);
        logging.AddFilter("Microsoft", LogLevel.Warning);
    }

    private static IHost BuildPlain(HeraldServerOptions options, Action<ILoggingBuilder> logging)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        logging(builder.Logging);
        ServerServices.AddCore(builder.Services, options);
        return builder.Build();
    }

    private static WebApplication BuildWeb(HeraldServerOptions options, HttpOptions http, Action<ILoggingBuilder> logging)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(HeraldServer).Assembly.GetName().Name });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(http.Listen);
            kestrel.Limits.MaxRequestBodySize = http.MaxRequestBytes;
            kestrel.AddServerHeader = false;
        });
        logging(builder.Logging);
        ServerServices.AddCore(builder.Services, options);
        ServerServices.AddHttp(builder.Services, http);

        var app = builder.Build();
        ServerEndpoints.Map(app);
        return app;
    }

    private static Uri BoundAddress(IHost host)
    {
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel started without an address.");
        var uri = new Uri(address);

        // Kestrel reports an address bound to all interfaces as 0.0.0.0 or [::], which a browser cannot open.
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            ? new UriBuilder(uri) { Host = "localhost" }.Uri
            : uri;
    }
}
