using System.Buffers;
using Herald.Broker;

namespace Herald.Cli.Access;

/// <summary>Opens the data directory in this process (no server may be running on it).</summary>
internal sealed class LocalBrokerAccess(HeraldBroker broker) : IBrokerAccess
{
    public Task<AdminResult> CreateTopicAsync(string name, int? partitions, IReadOnlyDictionary<string, string> configs, CancellationToken cancellationToken) =>
        Task.FromResult(broker.CreateTopic(name, partitions, configs));

    public Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken) => Task.FromResult(broker.ListTopics());

    public Task<TopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken) => Task.FromResult(broker.DescribeTopic(name));

    public Task<AdminResult> AlterTopicConfigAsync(string name, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken cancellationToken) =>
        Task.FromResult(broker.AlterTopicConfig(name, changes));

    public Task<AdminResult> DeleteTopicAsync(string name, CancellationToken cancellationToken) => Task.FromResult(broker.DeleteTopic(name));

    public Task<OffsetLookup> ListOffsetAsync(string topic, int partition, long timestamp, CancellationToken cancellationToken) =>
        Task.FromResult(broker.ListOffset(topic, partition, OffsetQuery.FromKafka(timestamp)));

    public async Task<ProduceResult> ProduceAsync(string topic, int partition, byte[] recordSet, Acks acks, CancellationToken cancellationToken) =>
        await broker.ProduceAsync(topic, partition, recordSet, acks, cancellationToken);

    public async Task<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, IBufferWriter<byte> destination, TimeSpan maxWait, CancellationToken cancellationToken) =>
        await broker.FetchAsync(topic, partition, offset, maxBytes, destination, maxWait, cancellationToken: cancellationToken);

    public Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(string group, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken) =>
        Task.FromResult(broker.FetchOffsets(group, partitions));

    public Task<AdminResult> CommitOffsetsAsync(string group, IReadOnlyList<CommittedOffset> offsets, CancellationToken cancellationToken) =>
        Task.FromResult(broker.CommitOffsets(group, offsets));

    public Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken) => Task.FromResult(broker.ListGroups());

    public Task<GroupDescription?> DescribeGroupAsync(string group, CancellationToken cancellationToken) => Task.FromResult(broker.DescribeGroup(group));

    public Task<AdminResult> DeleteGroupAsync(string group, CancellationToken cancellationToken) => Task.FromResult(broker.DeleteGroup(group));

    public ValueTask DisposeAsync() => broker.DisposeAsync();
}
