namespace Herald.Client;

/// <summary>A consumer's circuit breaker state.</summary>
public enum BreakerState
{
    /// <summary>Handling normally.</summary>
    Closed,

    /// <summary>Paused: a dependency is failing.</summary>
    Open,

    /// <summary>Letting one event through to see whether the dependency is back.</summary>
    HalfOpen,
}
