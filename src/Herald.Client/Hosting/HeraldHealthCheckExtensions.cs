using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Client;

/// <summary>Adds Herald's consumer health check.</summary>
public static class HeraldHealthCheckExtensions
{
    /// <summary>Reports unhealthy while any consumer's breaker is open, degraded while any lags by more than <paramref name="maxLag"/> events.</summary>
    public static IHealthChecksBuilder AddHeraldConsumers(this IHealthChecksBuilder builder, long maxLag = 10_000, string name = "herald-consumers") =>
        builder.Add(new HealthCheckRegistration(name, services => new HeraldHealthCheck(services.GetRequiredService<HeraldConsumers>(), maxLag), HealthStatus.Unhealthy, ["herald"]));
}
