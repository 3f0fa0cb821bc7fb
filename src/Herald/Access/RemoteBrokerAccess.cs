using System.Buffers;
using Herald.Broker;
using Herald.Kafka.Client;
using Herald.Kafka.Messages;

namespace Herald.Cli.Access;

/// <summary>
/// Talks to a running server over the Kafka protocol. The versions used are ones every Kafka 3.x/4.x broker and Herald
/// accept; the connection goes to the one node named, so it suits Herald rather than a multi-node cluster.
/// </summary>
internal sealed class RemoteBrokerAccess(KafkaProtocolClient client) : IBrokerAccess
{
    private const sbyte TopicResource = 2;
    private const sbyte ConfigFromTopic = 1;
    private const int TimeoutMs = 30_000;

    public async Task<AdminResult> CreateTopicAsync(string name, int? partitions, IReadOnlyDictionary<string, string> configs, CancellationToken cancellationToken)
    {
        var request = new CreateTopicsRequest
        {
            timeoutMs = TimeoutMs,
            Topics = [new CreateTopicsRequest.CreatableTopic
            {
                Name = name,
                NumPartitions = partitions ?? -1,
                ReplicationFactor = -1,
                Configs = [.. configs.Select(c => new CreateTopicsRequest.CreatableTopicConfig { Name = c.Key, Value = c.Value })],
            }],
        };
        var response = await client.SendAsync(CreateTopicsRequest.ApiKey, 5, request, CreateTopicsResponse.Read, cancellationToken);
        var result = response.Topics.Single();
        return new AdminResult((ErrorCode)result.ErrorCode, result.ErrorMessage);
    }

    public async Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        var metadata = await client.SendAsync(MetadataRequest.ApiKey, 9, new MetadataRequest { Topics = null, AllowAutoTopicCreation = false }, MetadataResponse.Read, cancellationToken);
        return await DescribeAsync([.. metadata.Topics.Where(t => t.ErrorCode == 0).OrderBy(t => t.Name, StringComparer.Ordinal)], cancellationToken);
    }

    public async Task<TopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken)
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = name }], AllowAutoTopicCreation = false };
        var metadata = await client.SendAsync(MetadataRequest.ApiKey, 9, request, MetadataResponse.Read, cancellationToken);
        var found = metadata.Topics.Where(t => t.ErrorCode == 0 && t.Name == name).ToList();
        return found.Count == 0 ? null : (await DescribeAsync(found, cancellationToken))[0];
    }

    public async Task<AdminResult> AlterTopicConfigAsync(string name, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken cancellationToken)
    {
        var request = new IncrementalAlterConfigsRequest
        {
            Resources = [new IncrementalAlterConfigsRequest.AlterConfigsResource
            {
                ResourceType = TopicResource,
                ResourceName = name,
                Configs = [.. changes.Select(c => new IncrementalAlterConfigsRequest.AlterableConfig { Name = c.Key, Value = c.Value, ConfigOperation = (sbyte)(c.Value is null ? 1 : 0) })],
            }],
        };
        var response = await client.SendAsync(IncrementalAlterConfigsRequest.ApiKey, 1, request, IncrementalAlterConfigsResponse.Read, cancellationToken);
        var result = response.Responses.Single();
        return new AdminResult((ErrorCode)result.ErrorCode, result.ErrorMessage);
    }

    public async Task<AdminResult> DeleteTopicAsync(string name, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(DeleteTopicsRequest.ApiKey, 4, new DeleteTopicsRequest { TopicNames = [name], TimeoutMs = TimeoutMs }, DeleteTopicsResponse.Read, cancellationToken);
        var result = response.Responses.Single();
        return new AdminResult((ErrorCode)result.ErrorCode, result.ErrorMessage ?? $"Topic '{name}': {(ErrorCode)result.ErrorCode}.");
    }

    public async Task<OffsetLookup> ListOffsetAsync(string topic, int partition, long timestamp, CancellationToken cancellationToken)
    {
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition, Timestamp = timestamp }] }],
        };
        var response = await client.SendAsync(ListOffsetsRequest.ApiKey, 7, request, ListOffsetsResponse.Read, cancellationToken);
        var result = response.Topics.Single().Partitions.Single();
        return new OffsetLookup((ErrorCode)result.ErrorCode, result.Offset);
    }

    public async Task<ProduceResult> ProduceAsync(string topic, int partition, byte[] recordSet, Acks acks, CancellationToken cancellationToken)
    {
        var request = new ProduceRequest
        {
            Acks = (short)acks,
            TimeoutMs = TimeoutMs,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = recordSet }] }],
        };
        if (acks == Acks.None)
        {
            await client.SendWithoutResponseAsync(ProduceRequest.ApiKey, 9, request, cancellationToken);
            return new ProduceResult(ErrorCode.None, -1, -1);
        }

        var response = await client.SendAsync(ProduceRequest.ApiKey, 9, request, ProduceResponse.Read, cancellationToken);
        var result = response.Responses.Single().PartitionResponses.Single();
        return new ProduceResult((ErrorCode)result.ErrorCode, result.BaseOffset, result.LogStartOffset);
    }

    public async Task<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, IBufferWriter<byte> destination, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxWaitMs = (int)maxWait.TotalMilliseconds,
            MinBytes = 1,
            MaxBytes = maxBytes,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = maxBytes }] }],
        };
        var response = await client.SendAsync(FetchRequest.ApiKey, 12, request, FetchResponse.Read, cancellationToken);
        var result = response.Responses.Single().Partitions.Single();
        var records = result.Records ?? Memory<byte>.Empty;
        destination.Write(records.Span);
        return new FetchResult((ErrorCode)result.ErrorCode, records.Length, result.HighWatermark, result.LogStartOffset);
    }

    public async Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(string group, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken)
    {
        var request = new OffsetFetchRequest
        {
            GroupId = group,
            Topics = partitions?.GroupBy(p => p.Topic).Select(t => new OffsetFetchRequest.OffsetFetchRequestTopic { Name = t.Key, PartitionIndexes = [.. t.Select(p => p.Partition)] }).ToList(),
        };
        var response = await client.SendAsync(OffsetFetchRequest.ApiKey, 7, request, OffsetFetchResponse.Read, cancellationToken);
        var error = response.ErrorCode != 0 ? (ErrorCode)response.ErrorCode
            : (ErrorCode)(response.Topics.SelectMany(t => t.Partitions).FirstOrDefault(p => p.ErrorCode != 0)?.ErrorCode ?? 0);
        if (error != ErrorCode.None)
        {
            throw new CliException($"Reading the committed offsets of group '{group}' failed: {error}.");
        }

        var committed = response.Topics
            .SelectMany(t => t.Partitions.Select(p => new CommittedOffset(new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, p.Metadata)))
            .ToDictionary(c => c.Partition);
        return partitions is null
            ? [.. committed.Values.Where(c => c.Offset >= 0).OrderBy(c => c.Partition.Topic, StringComparer.Ordinal).ThenBy(c => c.Partition.Partition)]
            : [.. partitions.Select(p => committed.GetValueOrDefault(p, new CommittedOffset(p, -1)))];
    }

    public async Task<AdminResult> CommitOffsetsAsync(string group, IReadOnlyList<CommittedOffset> offsets, CancellationToken cancellationToken)
    {
        var request = new OffsetCommitRequest
        {
            GroupId = group,
            GenerationIdOrMemberEpoch = -1,
            MemberId = string.Empty,
            Topics = [.. offsets.GroupBy(o => o.Partition.Topic).Select(t => new OffsetCommitRequest.OffsetCommitRequestTopic
            {
                Name = t.Key,
                Partitions = [.. t.Select(o => new OffsetCommitRequest.OffsetCommitRequestPartition { PartitionIndex = o.Partition.Partition, CommittedOffset = o.Offset, CommittedMetadata = o.Metadata })],
            })],
        };
        var response = await client.SendAsync(OffsetCommitRequest.ApiKey, 8, request, OffsetCommitResponse.Read, cancellationToken);
        var failed = response.Topics.SelectMany(t => t.Partitions.Select(p => (Topic: t.Name, p.PartitionIndex, Error: (ErrorCode)p.ErrorCode))).FirstOrDefault(p => p.Error != ErrorCode.None);
        return failed.Topic is null
            ? new AdminResult(ErrorCode.None)
            : new AdminResult(failed.Error, $"Committing {failed.Topic}-{failed.PartitionIndex} for group '{group}' was refused.");
    }

    public async Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(ListGroupsRequest.ApiKey, 4, new ListGroupsRequest(), ListGroupsResponse.Read, cancellationToken);
        return [.. response.Groups.Select(g => g.GroupId).Order(StringComparer.Ordinal)];
    }

    public async Task<GroupDescription?> DescribeGroupAsync(string group, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(DescribeGroupsRequest.ApiKey, 5, new DescribeGroupsRequest { Groups = [group] }, DescribeGroupsResponse.Read, cancellationToken);
        var described = response.Groups.Single();
        var committed = await FetchOffsetsAsync(group, null, cancellationToken);
        if (described.GroupState == "Dead" || (described.Members.Count == 0 && committed.Count == 0))
        {
            return null;
        }

        // As the broker does: every partition of every topic the group commits for, with what it holds past the commit.
        var byPartition = committed.ToDictionary(c => c.Partition);
        var lag = new List<PartitionLag>();
        foreach (var topic in committed.Select(c => c.Partition.Topic).Distinct(StringComparer.Ordinal))
        {
            if (await DescribeTopicAsync(topic, cancellationToken) is not { } found)
            {
                continue;
            }

            for (var p = 0; p < found.Partitions; p++)
            {
                var end = (await ListOffsetAsync(topic, p, -1, cancellationToken)).Offset;
                var start = (await ListOffsetAsync(topic, p, -2, cancellationToken)).Offset;
                var position = byPartition.TryGetValue(new TopicPartition(topic, p), out var commit) ? commit.Offset : -1;
                lag.Add(new PartitionLag(new TopicPartition(topic, p), position, end, Math.Max(0, end - Math.Max(position, start))));
            }
        }

        var members = described.Members.Select(m => new GroupMemberDescription(m.MemberId, m.GroupInstanceId, m.ClientId, m.ClientHost, m.MemberMetadata, m.MemberAssignment)).ToList();
        return new GroupDescription(group, described.GroupState, described.ProtocolType, described.ProtocolData, members, lag);
    }

    public async Task<AdminResult> DeleteGroupAsync(string group, CancellationToken cancellationToken)
    {
        var response = await client.SendAsync(DeleteGroupsRequest.ApiKey, 2, new DeleteGroupsRequest { GroupsNames = [group] }, DeleteGroupsResponse.Read, cancellationToken);
        var error = (ErrorCode)response.Results.Single().ErrorCode;
        return error == ErrorCode.None ? new AdminResult(error) : new AdminResult(error, $"Deleting group '{group}' was refused.");
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();

    private async Task<IReadOnlyList<TopicDescription>> DescribeAsync(IReadOnlyList<MetadataResponse.MetadataResponseTopic> topics, CancellationToken cancellationToken)
    {
        if (topics.Count == 0)
        {
            return [];
        }

        var request = new DescribeConfigsRequest
        {
            Resources = [.. topics.Select(t => new DescribeConfigsRequest.DescribeConfigsResource { ResourceType = TopicResource, ResourceName = t.Name!, ConfigurationKeys = null })],
        };
        var configs = await client.SendAsync(DescribeConfigsRequest.ApiKey, 4, request, DescribeConfigsResponse.Read, cancellationToken);
        var overrides = configs.Results.ToDictionary(
            r => r.ResourceName,
            r => (IReadOnlyDictionary<string, string>)r.Configs.Where(c => c.ConfigSource == ConfigFromTopic && c.Value is not null).ToDictionary(c => c.Name, c => c.Value!));
        return [.. topics.Select(t => new TopicDescription(
            t.Name!,
            t.TopicId,
            t.Partitions.Count,
            TopicConfig.FromOverrides(overrides.GetValueOrDefault(t.Name!) ?? new Dictionary<string, string>(), out _) ?? TopicConfig.Default))];
    }
}
