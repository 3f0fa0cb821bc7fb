using System.Collections.Concurrent;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Herald.Broker;
using Acks = Herald.Broker.Acks;
using ErrorCode = Herald.Broker.ErrorCode;
using TopicDescription = Herald.Broker.TopicDescription;
using TopicPartition = Herald.Broker.TopicPartition;

namespace Herald.Cli.Access;

/// <summary>
/// Talks to a running server through Confluent.Kafka, as any Kafka application would: the admin client for topics,
/// offsets and groups, a producer to send, and one consumer per partition read (assigned, never joining a group).
/// </summary>
internal sealed class RemoteBrokerAccess : IBrokerAccess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RemoteServer _server;
    private readonly ConnectionLoss _loss;
    private readonly IAdminClient _admin;
    private readonly ConcurrentDictionary<(string Topic, int Partition), PartitionConsumer> _readers = new();
    private readonly Lazy<IProducer<byte[]?, byte[]>>[] _producers;

    public RemoteBrokerAccess(RemoteServer server)
    {
        _server = server;
        _loss = new ConnectionLoss(server.BootstrapServers);
        _admin = new AdminClientBuilder(server.Configure(new AdminClientConfig())).SetLogHandler(static (_, _) => { }).SetErrorHandler((_, error) => _loss.Report(error)).Build();
        _producers = [.. new[] { Acks.None, Acks.Leader, Acks.All }.Select(acks => new Lazy<IProducer<byte[]?, byte[]>>(() => CreateProducer(acks)))];
    }

    public async Task<AdminResult> CreateTopicAsync(string name, int? partitions, IReadOnlyDictionary<string, string> configs, CancellationToken cancellationToken)
    {
        try
        {
            await _admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions ?? -1, ReplicationFactor = -1, Configs = configs.ToDictionary() }], new CreateTopicsOptions { OperationTimeout = Timeout, RequestTimeout = Timeout });
            return new AdminResult(ErrorCode.None);
        }
        catch (CreateTopicsException failed)
        {
            return Refused(failed.Results.Single().Error);
        }
    }

    public async Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken)
    {
        // librdkafka's blocking metadata call waits out its whole timeout, and holds up closing the client, when the
        // server refused the login at once; a request that can be abandoned finds that out first.
        await _loss.WhileConnectedAsync(_admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = Timeout }), cancellationToken);

        var names = _admin.GetMetadata(Timeout).Topics.Where(t => t.Error.Code == Confluent.Kafka.ErrorCode.NoError).Select(t => t.Topic).Order(StringComparer.Ordinal).ToList();
        return await DescribeAsync(names, cancellationToken);
    }

    public async Task<TopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken) =>
        (await DescribeAsync([name], cancellationToken)).SingleOrDefault();

    public async Task<AdminResult> AlterTopicConfigAsync(string name, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken cancellationToken)
    {
        var entries = changes.Select(c => new ConfigEntry { Name = c.Key, Value = c.Value, IncrementalOperation = c.Value is null ? AlterConfigOpType.Delete : AlterConfigOpType.Set }).ToList();
        try
        {
            await _admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>> { [Topic(name)] = entries }, new IncrementalAlterConfigsOptions { RequestTimeout = Timeout });
            return new AdminResult(ErrorCode.None);
        }
        catch (IncrementalAlterConfigsException failed)
        {
            return Refused(failed.Results.Single().Error);
        }
    }

    public async Task<AdminResult> DeleteTopicAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _admin.DeleteTopicsAsync([name], new DeleteTopicsOptions { OperationTimeout = Timeout, RequestTimeout = Timeout });
            return new AdminResult(ErrorCode.None);
        }
        catch (DeleteTopicsException failed)
        {
            return Refused(failed.Results.Single().Error, $"Topic '{name}'");
        }
    }

    public async Task<OffsetLookup> ListOffsetAsync(string topic, int partition, OffsetQuery query, CancellationToken cancellationToken)
    {
        var spec = query.KafkaTimestamp switch
        {
            -2 => Confluent.Kafka.Admin.OffsetSpec.Earliest(),
            -1 => Confluent.Kafka.Admin.OffsetSpec.Latest(),
            -3 => Confluent.Kafka.Admin.OffsetSpec.MaxTimestamp(),
            var time => Confluent.Kafka.Admin.OffsetSpec.ForTimestamp(time),
        };
        try
        {
            var result = await _admin.ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = new(topic, partition), OffsetSpec = spec }], new ListOffsetsOptions { RequestTimeout = Timeout });
            return new OffsetLookup(ErrorCode.None, result.ResultInfos.Single().TopicPartitionOffsetError.Offset.Value);
        }
        catch (ListOffsetsException failed)
        {
            return new OffsetLookup(ToErrorCode(failed.Result.ResultInfos.Single().TopicPartitionOffsetError.Error), -1);
        }
    }

    public async Task<ErrorCode> ProduceAsync(string topic, int partition, IReadOnlyList<OutgoingEvent> events, Acks acks, CancellationToken cancellationToken)
    {
        var producer = _producers[acks switch { Acks.None => 0, Acks.Leader => 1, _ => 2 }].Value;
        var target = new Confluent.Kafka.TopicPartition(topic, partition);
        var sent = Task.WhenAll(events.Select(e => producer.ProduceAsync(target, ToMessage(e), cancellationToken)));
        try
        {
            // Delivery reports complete on librdkafka's poll thread: go on elsewhere, or disposing the producer there deadlocks.
            await sent.WaitAsync(_loss.Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            return ErrorCode.None;
        }
        catch (OperationCanceledException) when (_loss.Token.IsCancellationRequested)
        {
            throw _loss.Failure();
        }
        catch (ProduceException<byte[]?, byte[]> failed)
        {
            return ToErrorCode(failed.Error);
        }
    }

    public Task<PartitionRead> ReadAsync(string topic, int partition, long offset, TimeSpan maxWait, CancellationToken cancellationToken) =>
        _readers.GetOrAdd((topic, partition), key => new PartitionConsumer(_server, key.Topic, key.Partition, _loss)).ReadAsync(offset, maxWait, cancellationToken);

    public async Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(string group, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken)
    {
        var request = new ConsumerGroupTopicPartitions(group, partitions?.Select(p => new Confluent.Kafka.TopicPartition(p.Topic, p.Partition)).ToList());
        List<ListConsumerGroupOffsetsResult> results;
        try
        {
            results = await _admin.ListConsumerGroupOffsetsAsync([request], new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
        }
        catch (ListConsumerGroupOffsetsException failed)
        {
            throw new CliException($"Reading the committed offsets of group '{group}' failed: {ToErrorCode(failed.Results.Single().Error)}.");
        }

        var committed = results.Single().Partitions
            .Select(p => new CommittedOffset(new TopicPartition(p.Topic, p.Partition), p.Offset.IsSpecial ? -1 : p.Offset.Value))
            .ToDictionary(c => c.Partition);
        return partitions is null
            ? [.. committed.Values.Where(c => c.Offset >= 0).OrderBy(c => c.Partition.Topic, StringComparer.Ordinal).ThenBy(c => c.Partition.Partition)]
            : [.. partitions.Select(p => committed.GetValueOrDefault(p, new CommittedOffset(p, -1)))];
    }

    public async Task<AdminResult> CommitOffsetsAsync(string group, IReadOnlyList<CommittedOffset> offsets, CancellationToken cancellationToken)
    {
        var request = new ConsumerGroupTopicPartitionOffsets(group, [.. offsets.Select(o => new TopicPartitionOffset(o.Partition.Topic, o.Partition.Partition, o.Offset))]);
        try
        {
            await _admin.AlterConsumerGroupOffsetsAsync([request], new AlterConsumerGroupOffsetsOptions { RequestTimeout = Timeout });
            return new AdminResult(ErrorCode.None);
        }
        catch (AlterConsumerGroupOffsetsException failed)
        {
            var refused = failed.Results.Single().Partitions.FirstOrDefault(p => p.Error.IsError);
            var error = refused?.Error ?? failed.Error;
            return new AdminResult(ToErrorCode(error), refused is null ? error.Reason : $"Committing {refused.Topic}-{refused.Partition.Value} for group '{group}' was refused.");
        }
    }

    public async Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var result = await _admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = Timeout });
        return [.. result.Valid.Select(g => g.GroupId).Order(StringComparer.Ordinal)];
    }

    public async Task<GroupDescription?> DescribeGroupAsync(string group, CancellationToken cancellationToken)
    {
        Confluent.Kafka.Admin.ConsumerGroupDescription described;
        try
        {
            described = (await _admin.DescribeConsumerGroupsAsync([group], new DescribeConsumerGroupsOptions { RequestTimeout = Timeout })).ConsumerGroupDescriptions.Single();
        }
        catch (DescribeConsumerGroupsException failed)
        {
            throw new CliException($"Describing group '{group}' failed: {failed.Results.ConsumerGroupDescriptions.Single().Error.Reason}.");
        }

        var committed = await FetchOffsetsAsync(group, null, cancellationToken);
        if (described.State == ConsumerGroupState.Dead || (described.Members.Count == 0 && committed.Count == 0))
        {
            return null;
        }

        var lag = await LagAsync(committed, cancellationToken);
        var members = described.Members.Select(m => new GroupMemberDescription(
            m.ConsumerId,
            m.GroupInstanceId,
            m.ClientId,
            m.Host,
            [],
            ConsumerProtocol.WriteAssignment(m.Assignment.TopicPartitions.Select(p => new TopicPartition(p.Topic, p.Partition.Value))))).ToList();
        return new GroupDescription(group, StateName(described.State), described.IsSimpleConsumerGroup ? string.Empty : "consumer", described.PartitionAssignor ?? string.Empty, members, lag);
    }

    public async Task<AdminResult> DeleteGroupAsync(string group, CancellationToken cancellationToken)
    {
        try
        {
            await _admin.DeleteGroupsAsync([group], new DeleteGroupsOptions { RequestTimeout = Timeout });
            return new AdminResult(ErrorCode.None);
        }
        catch (DeleteGroupsException failed)
        {
            return new AdminResult(ToErrorCode(failed.Results.Single().Error), $"Deleting group '{group}' was refused.");
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var producer in _producers.Where(p => p.IsValueCreated).Select(p => p.Value))
        {
            producer.Flush(_loss.Token.IsCancellationRequested ? TimeSpan.Zero : TimeSpan.FromSeconds(10));
            producer.Dispose();
        }

        foreach (var reader in _readers.Values)
        {
            reader.Dispose();
        }

        _admin.Dispose();
        _loss.Dispose();
        return ValueTask.CompletedTask;
    }

    // As the broker does: every partition of every topic the group commits for, with what it holds past the commit.
    private async Task<List<PartitionLag>> LagAsync(IReadOnlyList<CommittedOffset> committed, CancellationToken cancellationToken)
    {
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
                var end = (await ListOffsetAsync(topic, p, OffsetQuery.Latest, cancellationToken)).Offset;
                var start = (await ListOffsetAsync(topic, p, OffsetQuery.Earliest, cancellationToken)).Offset;
                var position = byPartition.TryGetValue(new TopicPartition(topic, p), out var commit) ? commit.Offset : -1;
                lag.Add(new PartitionLag(new TopicPartition(topic, p), position, end, Math.Max(0, end - Math.Max(position, start))));
            }
        }

        return lag;
    }

    private async Task<IReadOnlyList<TopicDescription>> DescribeAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        if (names.Count == 0)
        {
            return [];
        }

        List<Confluent.Kafka.Admin.TopicDescription> topics;
        try
        {
            topics = (await _admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(names), new DescribeTopicsOptions { RequestTimeout = Timeout })).TopicDescriptions;
        }
        catch (DescribeTopicsException partly)
        {
            topics = [.. partly.Results.TopicDescriptions.Where(t => !t.Error.IsError)]; // the others do not exist
        }

        if (topics.Count == 0)
        {
            return [];
        }

        var configs = await _admin.DescribeConfigsAsync([.. topics.Select(t => Topic(t.Name))], new DescribeConfigsOptions { RequestTimeout = Timeout });
        var byTopic = configs.ToDictionary(c => c.ConfigResource.Name, c => c.Entries.Values.Where(e => e.Value is not null && TopicConfig.IsKnown(e.Name)).ToList());
        return [.. topics.Select(t => new TopicDescription(t.Name, ToGuid(t.TopicId), t.Partitions.Count, ConfigOf(byTopic.GetValueOrDefault(t.Name) ?? [])))];
    }

    // The server reports every setting in force with where it comes from: the topic's overrides, over the broker's.
    private static TopicConfig ConfigOf(IReadOnlyList<ConfigEntryResult> entries)
    {
        var broker = entries.Where(e => e.Source != ConfigSource.DynamicTopicConfig).ToDictionary(e => e.Name, e => e.Value);
        var topic = entries.Where(e => e.Source == ConfigSource.DynamicTopicConfig).ToDictionary(e => e.Name, e => e.Value);
        var brokerDefaults = TopicConfig.FromOverrides(broker, out _)?.Storage ?? TopicConfig.Default.Storage;
        return TopicConfig.FromOverrides(topic, brokerDefaults, out _) ?? TopicConfig.Default;
    }

    private IProducer<byte[]?, byte[]> CreateProducer(Acks acks) =>
        new ProducerBuilder<byte[]?, byte[]>(_server.Configure(new ProducerConfig
        {
            Acks = acks switch { Acks.None => Confluent.Kafka.Acks.None, Acks.Leader => Confluent.Kafka.Acks.Leader, _ => Confluent.Kafka.Acks.All },
            EnableIdempotence = acks == Acks.All,
            MaxInFlight = acks == Acks.Leader ? 1 : 5, // a retry must not overtake what follows it

            LingerMs = 5,
            MessageTimeoutMs = (int)Timeout.TotalMilliseconds,
        })).SetLogHandler(static (_, _) => { }).SetErrorHandler((_, error) => _loss.Report(error)).Build();

    private static Message<byte[]?, byte[]> ToMessage(OutgoingEvent e)
    {
        var headers = new Headers();
        foreach (var header in e.Headers)
        {
            headers.Add(header.Key, header.Value?.ToArray());
        }

        return new Message<byte[]?, byte[]> { Key = e.Key, Value = e.Value, Headers = headers, Timestamp = new Timestamp(e.Timestamp, TimestampType.CreateTime) };
    }

    private static ConfigResource Topic(string name) => new() { Type = ResourceType.Topic, Name = name };

    private static Guid ToGuid(Uuid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, id.MostSignificantBits);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes[8..], id.LeastSignificantBits);
        return new Guid(bytes, bigEndian: true);
    }

    private static string StateName(ConsumerGroupState state) => state switch
    {
        ConsumerGroupState.PreparingRebalance => "PreparingRebalance",
        ConsumerGroupState.CompletingRebalance => "CompletingRebalance",
        ConsumerGroupState.Stable => "Stable",
        ConsumerGroupState.Empty => "Empty",
        ConsumerGroupState.Dead => "Dead",
        _ => state.ToString(),
    };

    private AdminResult Refused(Error error, string? subject = null) =>
        new(ToErrorCode(error), subject is null ? error.Reason : $"{subject}: {error.Reason}.");

    // The broker's refusals carry Kafka's codes; librdkafka's own (negative) ones, a timeout say, become the CLI's error.
    private ErrorCode ToErrorCode(Error error) => (int)error.Code >= 0
        ? (ErrorCode)(int)error.Code
        : _loss.Token.IsCancellationRequested ? throw _loss.Failure() : throw new CliException($"The server at {_server.BootstrapServers} could not be used: {error.Reason}.");
}
