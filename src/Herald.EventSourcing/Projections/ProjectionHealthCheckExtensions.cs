using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.EventSourcing;

/// <summary>Adds a health check over the projections registered with <c>AddProjection&lt;T&gt;()</c>.</summary>
public static class ProjectionHealthCheckExtensions
{
    /// <summary>
    /// Unhealthy while a projection is faulted; degraded while one is more than <paramref name="maxLagEvents"/> events
    /// (default 10,000) or <paramref name="maxLagTime"/> (default 1 minute) behind.
    /// </summary>
    public static IHealthChecksBuilder AddHeraldProjections(this IHealthChecksBuilder builder, long maxLagEvents = 10_000, TimeSpan? maxLagTime = null, string name = "herald-projections") =>
        builder.Add(new HealthCheckRegistration(name, services => new ProjectionHealthCheck(services.GetRequiredService<ProjectionManager>(), maxLagEvents, maxLagTime ?? TimeSpan.FromMinutes(1)), HealthStatus.Unhealthy, ["herald"]));
}
