using Herald.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shop.Common;

/// <summary>The plumbing every shop service shares: its host, its Herald transport, <c>/health</c> and <c>/faults</c>.</summary>
public static class ShopHost
{
    /// <summary>
    /// A web application builder for <paramref name="service"/>, with the settings from <paramref name="args"/> and the
    /// configuration unless <paramref name="settings"/> gives them, and the settings registered for the service's types.
    /// </summary>
    public static (WebApplicationBuilder Builder, ShopSettings Settings) CreateBuilder(string service, string[] args, ShopSettings? settings)
    {
        var builder = WebApplication.CreateBuilder(args);
        settings ??= ShopSettings.From(builder.Configuration);
        builder.Configuration["Herald:Source"] = $"/shop/{service}";
        builder.Configuration.AddInMemoryCollection(settings.Configuration);
        if (settings.Listen is { } listen)
        {
            builder.WebHost.UseUrls(listen);
        }

        if (settings.Logging is { } logging)
        {
            // Hosted inside another program (herald demo, a test): that program owns the console and Ctrl+C.
            builder.Logging.ClearProviders();
            logging(builder.Logging);
            builder.Services.AddSingleton<IHostLifetime, HostedInsideLifetime>();
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(settings.Faults);
        builder.Services.AddSingleton<FaultLog>();
        builder.Services.AddSingleton<ConsumerCounters>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConsumerCounters>());
        builder.Services.Configure<HeraldOptions>(herald => herald.DefaultPartitions = settings.Partitions);
        builder.Services.AddHealthChecks().AddHeraldConsumers(maxLag: 500);

        // One trace from the HTTP request that placed an order to the last event it caused: ASP.NET Core's request
        // span, the event store's append, and Herald's send and process spans, whose context travels in the events.
        // Add an exporter (OTLP, say) to see them; herald serve's trace lookup finds their events without one.
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource("Microsoft.AspNetCore", HeraldTelemetry.Name, "Herald.EventSourcing"));
        return (builder, settings);
    }

    /// <summary>
    /// The embedded broker when the settings hold one, Kafka otherwise; on Kafka a member that dies is noticed within
    /// 10 s (librdkafka's default is 45 s), as on the embedded broker.
    /// </summary>
    public static HeraldBuilder UseShopTransport(this HeraldBuilder herald, ShopSettings settings) =>
        settings.Broker is { } broker
            ? herald.UseEmbedded(broker)
            : herald.UseKafka(settings.Kafka, configureConsumer: consumer => (consumer.SessionTimeoutMs, consumer.HeartbeatIntervalMs) = (10_000, 1_000));

    /// <summary>
    /// <c>GET /health</c> (unhealthy while a consumer's breaker is open, degraded while one lags by more than 500
    /// events), <c>GET /consumers</c> (each consumer's breaker and lag), <c>GET/POST /faults</c> (the switches the demo
    /// flips) and <c>GET /faults/log</c> (how often each fault struck here).
    /// </summary>
    public static WebApplication MapShopBasics(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJson.WriteAsync });
        app.MapGet("/consumers", (HeraldConsumers consumers, ConsumerCounters counters) => new ServiceConsumers(
            [.. consumers.All.Select(c => new ConsumerState(c.Key, c.Value.Breaker, c.Value.Lag))],
            counters.Retries,
            counters.DeadLettered,
            counters.DuplicatesSkipped));
        app.MapGet("/faults/log", (FaultLog log) => log.Counts);
        app.MapGet("/faults", (ShopFaults faults) => faults.Switches);
        app.MapPost("/faults", (ShopFaults faults, FaultSwitches switches) =>
        {
            faults.Switches = switches;
            return Results.Ok(faults.Switches);
        });
        return app;
    }

    /// <summary>The first address the application listens on, once it has started.</summary>
    public static Uri Address(this WebApplication app) => new(app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");

    /// <summary>One consumer as <c>GET /consumers</c> shows it: <c>topic/group</c>, its breaker, its lag in events.</summary>
    public sealed record ConsumerState(string Name, BreakerState Breaker, long Lag);

    /// <summary>A service's consumers, and its retries, dead letters and skipped duplicates so far.</summary>
    public sealed record ServiceConsumers(IReadOnlyList<ConsumerState> Consumers, long Retries, long DeadLettered, long DuplicatesSkipped);

    private sealed class HostedInsideLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
