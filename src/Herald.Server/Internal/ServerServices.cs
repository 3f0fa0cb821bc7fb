using System.Text.Json.Serialization;
using Herald.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Herald.Server.Internal;

/// <summary>The services the host is made of: the core (broker, listener, rates, metrics) and, with HTTP, the web side.</summary>
internal static class ServerServices
{
    /// <summary>Every meter Herald's rooms publish, exported at <c>/metrics</c>.</summary>
    private static readonly string[] Meters = ["Herald.Storage", "Herald.Broker", "Herald.Kafka", "Herald.Server", "Herald.Client", "Herald.EventSourcing"];

    public static void AddCore(IServiceCollection services, HeraldServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        AddStarted<BrokerService>(services);
        AddStarted<UsersService>(services);
        AddStarted<KafkaListenerService>(services);
        AddStarted<TopicRates>(services);
        AddStarted<EventStoreService>(services);
    }

    public static void AddHttp(IServiceCollection services, HttpOptions http)
    {
        services.AddSingleton(http);
        services.AddSingleton<TailSlots>();
        services.AddRouting();
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Herald HTTP API";
            document.Info.Description = "Topics, produce (JSON and CloudEvents), browse, live tail, consumer groups, dead letters, trace lookup and the event store.";
            return Task.CompletedTask;
        }));
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
        });
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());
    }

    // Registered once and started by the host in registration order, so each may use the ones before it.
    private static void AddStarted<T>(IServiceCollection services)
        where T : class, Microsoft.Extensions.Hosting.IHostedService
    {
        services.AddSingleton<T>();
        services.AddHostedService(provider => provider.GetRequiredService<T>());
    }
}
