using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.EventSourcing;

/// <summary>Unhealthy while a projection is faulted; degraded while one lags by more than the thresholds.</summary>
internal sealed class ProjectionHealthCheck(ProjectionManager projections, long maxLagEvents, TimeSpan maxLagTime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var all = projections.All;
        var data = all.ToDictionary(s => s.Name, s => (object)$"{s.Phase}, lag {s.LagEvents} events / {s.LagSeconds:0.#} s");
        var faulted = all.Where(s => s.Phase == ProjectionPhase.Faulted).Select(s => $"{s.Name} ({s.Error})").ToList();
        if (faulted.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Projection faulted: {string.Join(", ", faulted)}.", data: data));
        }

        var behind = all.Where(s => s.LagEvents > maxLagEvents || s.LagSeconds > maxLagTime.TotalSeconds).Select(s => $"{s.Name} ({s.LagEvents} events, {s.LagSeconds:0.#} s)").ToList();
        return Task.FromResult(behind.Count > 0
            ? HealthCheckResult.Degraded($"Projection lag above {maxLagEvents} events or {maxLagTime}: {string.Join(", ", behind)}.", data: data)
            : HealthCheckResult.Healthy($"{all.Count} projection(s) healthy.", data));
    }
}
