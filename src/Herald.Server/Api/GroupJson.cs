namespace Herald.Server.Api;

/// <summary>A consumer group in the list: its state, how many members it has, and its total lag.</summary>
public sealed record GroupSummaryJson(string GroupId, string State, int Members, long Lag);

/// <summary>A consumer group in full: members with their assignments, and lag per partition it has committed for.</summary>
public sealed record GroupJson(string GroupId, string State, string ProtocolType, string Protocol, IReadOnlyList<MemberJson> Members, IReadOnlyList<PartitionLagJson> Partitions, long Lag);

/// <summary>A group member and the partitions assigned to it.</summary>
public sealed record MemberJson(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, IReadOnlyList<TopicPartitionsJson> Assignment);

/// <summary>Partitions of one topic.</summary>
public sealed record TopicPartitionsJson(string Topic, IReadOnlyList<int> Partitions);

/// <summary>A group's committed offset on a partition, the partition's end, and the records between them.</summary>
public sealed record PartitionLagJson(string Topic, int Partition, long Committed, long EndOffset, long Lag);

/// <summary>
/// Where to move a group's offsets on a topic: <c>earliest</c>, <c>latest</c>, <c>timestamp</c> (with
/// <c>timestamp</c>) or <c>offset</c> (with <c>offset</c>, kept within each partition), on every partition or those listed.
/// With <c>dryRun</c> nothing changes and the answer shows what would.
/// </summary>
public sealed record ResetOffsetsJson(string Topic, string To, DateTimeOffset? Timestamp, long? Offset, IReadOnlyList<int>? Partitions, bool DryRun);

/// <summary>What a reset moved (or, in a dry run, would move).</summary>
public sealed record ResetResultJson(bool DryRun, IReadOnlyList<OffsetChangeJson> Changes);

/// <summary>One partition's committed offset before and after a reset; -1 where there was none.</summary>
public sealed record OffsetChangeJson(string Topic, int Partition, long From, long To);
