using System.Buffers;
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
        var buffer = new ArrayBufferWriter<byte>(ReadBytes);
        var result = await broker.FetchAsync(topic, partition, offset, ReadBytes, buffer, maxWait, cancellationToken: cancellationToken);
        if (result.Error == ErrorCode.OffsetOutOfRange)
        {
            return new PartitionRead(ErrorCode.None, [], [], result.LogStartOffset); // retention removed it: go on from what is left
        }

        if (result.Error != ErrorCode.None)
        {
            return new PartitionRead(result.Error, [], [], offset);
        }

        var records = new List<Record>();
        var damaged = new List<DamagedBatch>();
        var next = offset;
        var reader = new RecordBatchReader(buffer.WrittenMemory);
        while (true)
        {
            RecordBatch batch;
            try
            {
                if (!reader.TryReadNext(out batch))
                {
                    break;
                }
            }
            catch (InvalidRecordBatchException exception)
            {
                // Stepped over, so one damaged batch costs its own records and no others.
                if (reader.SkipDamaged() is not { } header || header.NextOffset <= next || header.NextOffset > result.HighWatermark)
                {
                    throw new CliException($"{topic}-{partition} has a damaged batch at offset {next} whose length cannot be trusted, so reading cannot go past it: {exception.Message}");
                }

                damaged.Add(new DamagedBatch(header.BaseOffset, header.LastOffset, exception.Message));
                next = header.NextOffset;
                continue;
            }

            records.AddRange(batch.Records.Where(r => r.Offset >= offset));
            next = Math.Max(next, batch.Header.NextOffset);
        }

        return new PartitionRead(ErrorCode.None, records, damaged, next);
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
