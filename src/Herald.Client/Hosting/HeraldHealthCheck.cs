using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Client;

/// <summary>Unhealthy while a consumer's breaker is open; degraded while a consumer's lag is above the threshold.</summary>
internal sealed class HeraldHealthCheck(HeraldConsumers consumers, long maxLag) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = consumers.All.ToDictionary(c => c.Key, c => (object)$"breaker {c.Value.Breaker}, lag {c.Value.Lag}");
        var broken = consumers.All.Where(c => c.Value.Breaker != BreakerState.Closed).Select(c => c.Key).ToList();
        if (broken.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Circuit breaker open: {string.Join(", ", broken)}.", data: data));
        }

        var behind = consumers.All.Where(c => c.Value.Lag > maxLag).Select(c => $"{c.Key} ({c.Value.Lag})").ToList();
        return Task.FromResult(behind.Count > 0
            ? HealthCheckResult.Degraded($"Lag above {maxLag}: {string.Join(", ", behind)}.", data: data)
            : HealthCheckResult.Healthy($"{consumers.All.Count} consumer(s) healthy.", data));
    }
}
