using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;

namespace Herald.Kafka.Handlers;

/// <summary>ListOffsets, DeleteRecords and a group's committed offsets: OffsetCommit, OffsetFetch, OffsetDelete.</summary>
internal sealed class OffsetHandlers(ClusterView cluster)
{
    private const long EarliestLocal = -4;

    public ListOffsetsResponse ListOffsets(RequestContext context, ListOffsetsRequest request) => new()
    {
        Topics = [.. request.Topics.Select(topic => new ListOffsetsResponse.ListOffsetsTopicResponse
        {
            Name = topic.Name,
            Partitions = [.. topic.Partitions.Select(partition =>
            {
                var timestamp = partition.Timestamp == EarliestLocal ? -2 : partition.Timestamp;
                var lookup = cluster.Broker.ListOffset(topic.Name, partition.PartitionIndex, OffsetQuery.FromKafka(timestamp));
                var found = lookup.Error == ErrorCode.None;
                return new ListOffsetsResponse.ListOffsetsPartitionResponse
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)lookup.Error,
                    OldStyleOffsets = found && lookup.Offset >= 0 ? [lookup.Offset] : [],
                    Offset = found ? lookup.Offset : -1,
                    Timestamp = found ? lookup.Timestamp : -1,
                    LeaderEpoch = -1,
                };
            })],
        })],
    };

    public DeleteRecordsResponse DeleteRecords(RequestContext context, DeleteRecordsRequest request) => new()
    {
        Topics = [.. request.Topics.Select(topic => new DeleteRecordsResponse.DeleteRecordsTopicResult
        {
            Name = topic.Name,
            Partitions = [.. topic.Partitions.Select(partition =>
            {
                var result = cluster.Broker.DeleteRecords(topic.Name, partition.PartitionIndex, partition.Offset);
                return new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = partition.PartitionIndex,
                    LowWatermark = result.Offset,
                    ErrorCode = (short)result.Error,
                };
            })],
        })],
    };

    public OffsetCommitResponse OffsetCommit(RequestContext context, OffsetCommitRequest request)
    {
        // Unknown partitions fail alone; the rest are committed together.
        var valid = new List<CommittedOffset>();
        var errors = new Dictionary<TopicPartition, ErrorCode>();
        foreach (var topic in request.Topics)
        {
            var described = cluster.Broker.DescribeTopic(topic.Name);
            foreach (var partition in topic.Partitions)
            {
                var key = new TopicPartition(topic.Name, partition.PartitionIndex);
                if (described is null || partition.PartitionIndex < 0 || partition.PartitionIndex >= described.Partitions)
                {
                    errors[key] = ErrorCode.UnknownTopicOrPartition;
                }
                else
                {
                    valid.Add(new CommittedOffset(key, partition.CommittedOffset, partition.CommittedMetadata));
                }
            }
        }

        var result = valid.Count == 0
            ? new AdminResult(ErrorCode.None)
            : cluster.Broker.CommitOffsets(request.GroupId, valid, request.GenerationIdOrMemberEpoch, request.MemberId, request.GroupInstanceId);
        return new OffsetCommitResponse
        {
            Topics = [.. request.Topics.Select(topic => new OffsetCommitResponse.OffsetCommitResponseTopic
            {
                Name = topic.Name,
                Partitions = [.. topic.Partitions.Select(partition => new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = partition.PartitionIndex,
                    ErrorCode = (short)errors.GetValueOrDefault(new TopicPartition(topic.Name, partition.PartitionIndex), result.Error),
                })],
            })],
        };
    }

    public OffsetFetchResponse OffsetFetch(RequestContext context, OffsetFetchRequest request)
    {
        if (context.ApiVersion < 8)
        {
            var topics = Committed(request.GroupId, request.Topics?.Select(t => (t.Name, t.PartitionIndexes)));
            return new OffsetFetchResponse
            {
                Topics = [.. topics.Select(t => new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = t.Key,
                    Partitions = [.. t.Select(c => new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = c.Partition.Partition,
                        CommittedOffset = c.Offset,
                        CommittedLeaderEpoch = -1,
                        Metadata = c.Metadata ?? string.Empty,
                    })],
                })],
            };
        }

        return new OffsetFetchResponse
        {
            Groups = [.. request.Groups.Select(group => new OffsetFetchResponse.OffsetFetchResponseGroup
            {
                GroupId = group.GroupId,
                Topics = [.. Committed(group.GroupId, group.Topics?.Select(t => (t.Name, t.PartitionIndexes))).Select(t => new OffsetFetchResponse.OffsetFetchResponseTopics
                {
                    Name = t.Key,
                    Partitions = [.. t.Select(c => new OffsetFetchResponse.OffsetFetchResponsePartitions
                    {
                        PartitionIndex = c.Partition.Partition,
                        CommittedOffset = c.Offset,
                        CommittedLeaderEpoch = -1,
                        Metadata = c.Metadata ?? string.Empty,
                    })],
                })],
            })],
        };
    }

    public OffsetDeleteResponse OffsetDelete(RequestContext context, OffsetDeleteRequest request)
    {
        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.PartitionIndex))).Distinct().ToList();
        var (groupError, results) = cluster.Broker.DeleteOffsets(request.GroupId, partitions);
        var errors = results.ToDictionary(r => r.Partition, r => r.Error);
        return new OffsetDeleteResponse
        {
            ErrorCode = (short)groupError,
            Topics = groupError != ErrorCode.None ? [] : [.. request.Topics.Select(topic => new OffsetDeleteResponse.OffsetDeleteResponseTopic
            {
                Name = topic.Name,
                Partitions = [.. topic.Partitions.Select(p => new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)errors.GetValueOrDefault(new TopicPartition(topic.Name, p.PartitionIndex)),
                })],
            })],
        };
    }

    /// <summary>The committed offsets asked for (all of the group's when null), -1 where none, grouped by topic in request order.</summary>
    private IEnumerable<IGrouping<string, CommittedOffset>> Committed(string groupId, IEnumerable<(string Name, List<int> Partitions)>? topics)
    {
        var wanted = topics?.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p))).ToList();
        return cluster.Broker.FetchOffsets(groupId, wanted).GroupBy(c => c.Partition.Topic, StringComparer.Ordinal);
    }
}
