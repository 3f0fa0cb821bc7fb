using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Herald.Server.Internal;

/// <summary>Ready once the data is open and the Kafka listener is bound; the HTTP side answers, or this would not run.</summary>
internal sealed class ReadinessCheck(BrokerService broker, KafkaListenerService listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !broker.IsOpen ? HealthCheckResult.Unhealthy("The broker is not open.")
            : !listener.IsBound ? HealthCheckResult.Unhealthy("The Kafka listener is not bound.")
            : HealthCheckResult.Healthy());
}
