using System.Text;
using Herald.Broker;
using Herald.Storage;

namespace Herald.Client.Transport.Embedded;

/// <summary>
/// Herald's broker in this process: no sockets and no protocol, with the same topics, groups and durability as
/// <c>herald serve</c>. For tests, and for services small enough for one machine.
/// </summary>
public sealed class EmbeddedTransport(HeraldBroker broker, bool ownsBroker) : IEventTransport
{
    private int _roundRobin;

    /// <summary>The broker it uses.</summary>
    public HeraldBroker Broker { get; } = broker;

    /// <inheritdoc />
    public string System => "herald";

    /// <inheritdoc />
    public Task EnsureTopicAsync(string topic, int partitions, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? configs = null)
    {
        if (!Broker.TopicExists(topic))
        {
            var created = Broker.CreateTopic(topic, partitions, configs);
            if (!created.Succeeded && created.Error != ErrorCode.TopicAlreadyExists)
            {
                throw new InvalidOperationException($"Creating topic '{topic}' failed: {created.Error} {created.Message}");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<PublishResult> PublishAsync(OutgoingRecord record, CancellationToken cancellationToken)
    {
        var description = Broker.DescribeTopic(record.Topic) ?? throw new PublishException($"Topic '{record.Topic}' does not exist.", (int)ErrorCode.UnknownTopicOrPartition);
        var key = record.Key is null ? (byte[]?)null : Encoding.UTF8.GetBytes(record.Key);
        var partition = key is null
            ? (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)description.Partitions)
            : Partitioner.PartitionForKey(key, description.Partitions);
        byte[] batch;
        using (var builder = new RecordBatchBuilder())
        {
            var headers = record.Headers.Select(h => new RecordHeader(h.Key, h.Value)).ToArray();
            builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), key, record.Value, headers);
            batch = builder.ToArray();
        }

        var result = await Broker.ProduceAsync(record.Topic, partition, batch, Acks.All, cancellationToken).ConfigureAwait(false);
        return result.Error == ErrorCode.None
            ? new PublishResult(partition, result.BaseOffset)
            : throw new PublishException($"Publishing to {record.Topic}-{partition} failed: {result.Error}.", (int)result.Error);
    }

    /// <inheritdoc />
    public ITransportConsumer Subscribe(string topic, string group) => new EmbeddedConsumer(Broker, topic, group);

    /// <inheritdoc />
    public async IAsyncEnumerable<IncomingRecord> ReadAllAsync(string topic, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partitions = Broker.DescribeTopic(topic)?.Partitions ?? 0;
        for (var partition = 0; partition < partitions; partition++)
        {
            var end = Broker.ListOffset(topic, partition, -1).Offset;
            var offset = Broker.ListOffset(topic, partition, -2).Offset;
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            while (offset < end)
            {
                buffer.ResetWrittenCount();
                var fetched = await Broker.FetchAsync(topic, partition, offset, 1024 * 1024, buffer, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (fetched.Error != ErrorCode.None || fetched.BytesWritten == 0)
                {
                    break;
                }

                foreach (var batch in RecordBatchReader.ReadAll(buffer.WrittenMemory.ToArray()))
                {
                    foreach (var record in batch.Records)
                    {
                        if (record.Offset >= offset && record.Offset < end)
                        {
                            yield return EmbeddedConsumer.ToIncoming(topic, partition, record);
                        }
                    }

                    offset = Math.Max(offset, batch.Header.NextOffset);
                }
            }
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<PartitionPosition>> PositionsAsync(string topic, string group, CancellationToken cancellationToken)
    {
        var description = Broker.DescribeTopic(topic);
        if (description is null)
        {
            return Task.FromResult<IReadOnlyList<PartitionPosition>>([]);
        }

        var committed = Broker.FetchOffsets(group, Enumerable.Range(0, description.Partitions).Select(p => new TopicPartition(topic, p)))
            .ToDictionary(c => c.Partition.Partition, c => c.Offset);
        IReadOnlyList<PartitionPosition> positions = [.. Enumerable.Range(0, description.Partitions)
            .Select(p => new PartitionPosition(p, committed.GetValueOrDefault(p, -1), Broker.ListOffset(topic, p, -1).Offset))];
        return Task.FromResult(positions);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ownsBroker ? Broker.DisposeAsync() : ValueTask.CompletedTask;
}
