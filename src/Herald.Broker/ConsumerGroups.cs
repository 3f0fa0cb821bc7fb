namespace Herald.Broker;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}-{Partition}";
}

/// <summary>A committed position of a consumer group: the next offset it will read, with the metadata string it stored.</summary>
public readonly record struct CommittedOffset(TopicPartition Partition, long Offset, string? Metadata = null);

/// <summary>How far a group is behind on one partition.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Committed">The group's committed offset, or -1 when it has none.</param>
/// <param name="HighWatermark">The end of the partition's durable data.</param>
/// <param name="Lag">Records between the committed offset (or the log start) and the high watermark.</param>
public readonly record struct PartitionLag(TopicPartition Partition, long Committed, long HighWatermark, long Lag);

/// <summary>A consumer group as the broker describes it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="State">Kafka's group state name: Empty, PreparingRebalance, CompletingRebalance or Stable.</param>
/// <param name="ProtocolType">"consumer" for consumer groups; empty when the group has no members.</param>
/// <param name="Protocol">The protocol (assignor) the members agreed on; empty when none.</param>
/// <param name="Members">The current members with their assignments.</param>
/// <param name="Lag">Committed offsets and lag per partition the group has committed for.</param>
public sealed record GroupDescription(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<GroupMemberDescription> Members, IReadOnlyList<PartitionLag> Lag);
