using Herald.Broker;
using Herald.Storage;

namespace Herald.Cli.Access;

/// <summary>Opens the data directory in this process (no server may be running on it).</summary>
internal sealed class LocalBrokerAccess(HeraldBroker broker) : IBrokerAccess
{
    private const int ReadBytes = 1024 * 1024;

    public Task<AdminResult> CreateTopicAsync(string name, int? partitions, IReadOnlyDictionary<string, string> configs, CancellationToken cancellationToken) =>
        Task.FromResult(broker.CreateTopic(name, partitions, configs));

    public Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(CancellationToken cancellationToken) => Task.FromResult(broker.ListTopics());

    public Task<TopicDescription?> DescribeTopicAsync(string name, CancellationToken cancellationToken) => Task.FromResult(broker.DescribeTopic(name));

    public Task<AdminResult> AlterTopicConfigAsync(string name, IReadOnlyList<KeyValuePair<string, string?>> changes, CancellationToken cancellationToken) =>
        Task.FromResult(broker.AlterTopicConfig(name, changes));

    public Task<AdminResult> DeleteTopicAsync(string name, CancellationToken cancellationToken) => Task.FromResult(broker.DeleteTopic(name));

    public Task<OffsetLookup> ListOffsetAsync(string topic, int partition, OffsetQuery query, CancellationToken cancellationToken) =>
        Task.FromResult(broker.ListOffset(topic, partition, query));

    public async Task<ErrorCode> ProduceAsync(string topic, int partition, IReadOnlyList<OutgoingEvent> events, Acks acks, CancellationToken cancellationToken)
    {
        using var batch = new RecordBatchBuilder();
        foreach (var e in events)
        {
            batch.Add(e.Timestamp, e.Key is null ? (ReadOnlyMemory<byte>?)null : e.Key, e.Value, e.Headers);
        }

        return (await broker.ProduceAsync(topic, partition, batch.ToArray(), acks, cancellationToken)).Error;
    }

    public async Task<PartitionRead> ReadAsync(string topic, int partition, long offset, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var read = await broker.ReadRecordsAsync(topic, partition, offset, ReadBytes, maxWait, cancellationToken);
        return read.Unreadable is { } problem ? throw new CliException(problem) : new PartitionRead(read.Error, read.Records, read.Damaged, read.NextOffset);
    }

    public Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(string group, IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken) =>
        Task.FromResult(broker.FetchOffsets(group, partitions));

    public Task<AdminResult> CommitOffsetsAsync(string group, IReadOnlyList<CommittedOffset> offsets, CancellationToken cancellationToken) =>
        Task.FromResult(broker.CommitOffsets(group, offsets));

    public Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken) => Task.FromResult(broker.ListGroups());

    public Task<GroupDescription?> DescribeGroupAsync(string group, CancellationToken cancellationToken) => Task.FromResult(broker.DescribeGroup(group));

    public Task<AdminResult> DeleteGroupAsync(string group, CancellationToken cancellationToken) => Task.FromResult(broker.DeleteGroup(group));

    public ValueTask DisposeAsync() => broker.DisposeAsync();
}
