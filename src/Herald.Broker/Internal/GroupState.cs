namespace Herald.Broker.Internal;

/// <summary>Kafka's classic group states.</summary>
internal enum GroupState
{
    Empty,
    PreparingRebalance,
    CompletingRebalance,
    Stable,
}
