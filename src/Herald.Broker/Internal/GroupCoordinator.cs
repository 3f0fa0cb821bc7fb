using System.Collections.Concurrent;

namespace Herald.Broker.Internal;

/// <summary>
/// Consumer groups: their membership under the classic protocol, their committed offsets (durable, in the offset
/// store) and their lag against the partitions' high watermarks.
/// </summary>
internal sealed class GroupCoordinator(OffsetStore offsets, BrokerOptions options, TimeProvider time, Func<string, Topic?> topicNamed)
{
    private readonly ConcurrentDictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);

    public AdminResult CommitOffsets(string groupId, IReadOnlyList<CommittedOffset> commits, int generation, string memberId, string? groupInstanceId)
    {
        if (string.IsNullOrEmpty(groupId))
        {
            return new AdminResult(ErrorCode.InvalidGroupId, "The group id is empty.");
        }

        var membership = _groups.TryGetValue(groupId, out var group)
            ? group.CheckCommit(generation, memberId, groupInstanceId)
            : generation < 0 ? ErrorCode.None : ErrorCode.IllegalGeneration;
        if (membership != ErrorCode.None)
        {
            return new AdminResult(membership, $"Member '{memberId}' of generation {generation} may not commit for group '{groupId}' now ({membership}).");
        }

        foreach (var offset in commits)
        {
            if (topicNamed(offset.Partition.Topic) is not { } topic || (uint)offset.Partition.Partition >= (uint)topic.Partitions.Count)
            {
                return new AdminResult(ErrorCode.UnknownTopicOrPartition, $"{offset.Partition} does not exist.");
            }

            if (offset.Offset < 0)
            {
                return new AdminResult(ErrorCode.InvalidRequest, $"Offset {offset.Offset} for {offset.Partition} is negative.");
            }

            if (offset.Metadata is { } metadata && System.Text.Encoding.UTF8.GetByteCount(metadata) > HeraldBroker.MaxCommitMetadataBytes)
            {
                return new AdminResult(ErrorCode.OffsetMetadataTooLarge, $"The metadata for {offset.Partition} is longer than {HeraldBroker.MaxCommitMetadataBytes} bytes.");
            }
        }

        offsets.Commit(groupId, commits);
        return new AdminResult(ErrorCode.None);
    }

    public IReadOnlyList<CommittedOffset> FetchOffsets(string groupId, IEnumerable<TopicPartition>? partitions)
    {
        var committed = offsets.Committed(groupId);
        if (partitions is null)
        {
            return committed;
        }

        var byPartition = committed.ToDictionary(c => c.Partition);
        return [.. partitions.Select(p => byPartition.TryGetValue(p, out var c) ? c : new CommittedOffset(p, -1))];
    }

    public IReadOnlyList<string> ListGroups() =>
        [.. offsets.Groups().Union(_groups.Where(g => !g.Value.IsEmpty).Select(g => g.Key), StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public GroupDescription? DescribeGroup(string groupId)
    {
        var committed = offsets.Committed(groupId);
        _groups.TryGetValue(groupId, out var group);
        if (committed.Count == 0 && (group is null || group.IsEmpty))
        {
            return null;
        }

        // Every partition of every topic the group commits for: one it never committed for lags by all it holds.
        var byPartition = committed.ToDictionary(c => c.Partition);
        var lag = new List<PartitionLag>();
        foreach (var name in committed.Select(c => c.Partition.Topic).Distinct(StringComparer.Ordinal))
        {
            if (topicNamed(name) is not { } topic)
            {
                continue;
            }

            for (var p = 0; p < topic.Partitions.Count; p++)
            {
                var log = topic.Partitions[p].Log;
                var highWatermark = log.DurableEndOffset;
                var position = byPartition.TryGetValue(new TopicPartition(name, p), out var commit) ? commit.Offset : -1;
                var from = Math.Max(position, log.LogStartOffset);
                lag.Add(new PartitionLag(new TopicPartition(name, p), position, highWatermark, Math.Max(0, highWatermark - from)));
            }
        }

        return group is null
            ? new GroupDescription(groupId, nameof(GroupState.Empty), string.Empty, string.Empty, [], lag)
            : new GroupDescription(groupId, group.State.ToString(), group.ProtocolType ?? string.Empty, group.Protocol ?? string.Empty, group.Describe(), lag);
    }

    public (ErrorCode GroupError, IReadOnlyList<(TopicPartition Partition, ErrorCode Error)> Partitions) DeleteOffsets(string groupId, IReadOnlyList<TopicPartition> partitions)
    {
        _groups.TryGetValue(groupId, out var group);
        if (!offsets.Groups().Contains(groupId) && (group is null || group.IsEmpty))
        {
            return (ErrorCode.GroupIdNotFound, []);
        }

        var subscribed = group is null || group.IsEmpty ? new HashSet<string>() : group.SubscribedTopics();
        var results = partitions
            .Select(p => (p, subscribed.Contains(p.Topic) ? ErrorCode.GroupSubscribedToTopic : ErrorCode.None))
            .ToList();
        offsets.Remove(groupId, [.. results.Where(r => r.Item2 == ErrorCode.None).Select(r => r.p)]);
        return (ErrorCode.None, results);
    }

    public AdminResult DeleteGroup(string groupId)
    {
        if (_groups.TryGetValue(groupId, out var group) && !group.IsEmpty)
        {
            return new AdminResult(ErrorCode.NonEmptyGroup, $"Group '{groupId}' still has members.");
        }

        return offsets.Delete(groupId) ? new AdminResult(ErrorCode.None) : new AdminResult(ErrorCode.GroupIdNotFound, $"Group '{groupId}' does not exist.");
    }

    public async Task<JoinGroupResult> JoinAsync(MemberJoinRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.GroupId))
        {
            return JoinGroupResult.Failed(ErrorCode.InvalidGroupId, request.MemberId);
        }

        if (request.SessionTimeout < options.GroupMinSessionTimeout || request.SessionTimeout > options.GroupMaxSessionTimeout)
        {
            return JoinGroupResult.Failed(ErrorCode.InvalidSessionTimeout, request.MemberId);
        }

        if (string.IsNullOrEmpty(request.ProtocolType) || request.Protocols.Count == 0)
        {
            return JoinGroupResult.Failed(ErrorCode.InconsistentGroupProtocol, request.MemberId);
        }

        if (request.RebalanceTimeout <= TimeSpan.Zero)
        {
            request = request with { RebalanceTimeout = request.SessionTimeout }; // JoinGroup v0 has none: Kafka uses the session timeout
        }
        else if (request.RebalanceTimeout > TimeSpan.FromMilliseconds(int.MaxValue))
        {
            return JoinGroupResult.Failed(ErrorCode.InvalidRequest, request.MemberId);
        }

        var group = _groups.GetOrAdd(request.GroupId, static (id, clock) => new ConsumerGroup(id, clock), time);
        return await group.JoinAsync(request).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<SyncGroupResult> SyncAsync(string groupId, int generation, string memberId, string? groupInstanceId, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments, CancellationToken cancellationToken)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return new SyncGroupResult(ErrorCode.UnknownMemberId, []);
        }

        return await group.SyncAsync(generation, memberId, groupInstanceId, assignments).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public ErrorCode Heartbeat(string groupId, int generation, string memberId, string? groupInstanceId) =>
        _groups.TryGetValue(groupId, out var group) ? group.Heartbeat(generation, memberId, groupInstanceId) : ErrorCode.UnknownMemberId;

    public ErrorCode Leave(string groupId, string memberId, string? groupInstanceId) =>
        _groups.TryGetValue(groupId, out var group) ? group.Leave(memberId, groupInstanceId) : ErrorCode.UnknownMemberId;

    /// <summary>Forgets every group's commits for a deleted topic.</summary>
    public void RemoveTopic(string name) => offsets.RemoveTopic(name);

    /// <summary>Fails what members are waiting for, as the broker closes.</summary>
    public void Shutdown()
    {
        foreach (var group in _groups.Values)
        {
            group.Shutdown();
        }
    }
}
