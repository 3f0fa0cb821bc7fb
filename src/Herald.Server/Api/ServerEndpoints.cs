using Microsoft.AspNetCore.Builder;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Herald.Server.Api;

/// <summary>Every HTTP endpoint of the server, mapped in one place.</summary>
internal static class ServerEndpoints
{
    public static void Map(WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi("/openapi/{documentName}.json");

        var api = app.MapGroup("/api/v1");
        TopicsApi.Map(api);
        ProduceApi.Map(api);
        RecordsApi.Map(api);
        TailApi.Map(api);
        GroupsApi.Map(api);
        DeadLettersApi.Map(api);
        EventStoreApi.Map(api);
        TraceApi.Map(api);
        StatsApi.Map(api);
        ConsoleFiles.Map(app);
    }
}
