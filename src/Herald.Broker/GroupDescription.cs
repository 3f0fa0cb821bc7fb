namespace Herald.Broker;

/// <summary>A consumer group as the broker describes it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="State">Kafka's group state name: Empty, PreparingRebalance, CompletingRebalance or Stable.</param>
/// <param name="ProtocolType">"consumer" for consumer groups; empty when the group has no members.</param>
/// <param name="Protocol">The protocol (assignor) the members agreed on; empty when none.</param>
/// <param name="Members">The current members with their assignments.</param>
/// <param name="Lag">Committed offsets and lag per partition the group has committed for.</param>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members, IReadOnlyList<PartitionLag> Lag);
