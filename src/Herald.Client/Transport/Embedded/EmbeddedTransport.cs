using System.Text;
using Herald.Broker;
using Herald.Storage;

namespace Herald.Client.Transport.Embedded;

/// <summary>
/// Herald's broker in this process: no sockets and no protocol, with the same topics, groups and durability as
/// <c>herald serve</c>. For tests, and for services small enough for one machine.
/// </summary>
internal sealed class EmbeddedTransport(HeraldBroker broker, bool ownsBroker) : IEventTransport
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Topic, int Partition), PartitionQueue> _queues = new();
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
    /// <remarks>
    /// Records published to one partition while an append to it waits for its fsync go out together in the next
    /// record batch, in the order they were published, as a Kafka producer batches while requests are in flight.
    /// </remarks>
    public async Task<PublishResult> PublishAsync(OutgoingRecord record, CancellationToken cancellationToken)
    {
        var description = Broker.DescribeTopic(record.Topic) ?? throw new PublishException($"Topic '{record.Topic}' does not exist.", ErrorCode.UnknownTopicOrPartition);
        var key = record.Key is null ? (byte[]?)null : Encoding.UTF8.GetBytes(record.Key);
        var partition = key is null
            ? (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)description.Partitions)
            : Partitioner.PartitionForKey(key, description.Partitions);
        var queue = _queues.GetOrAdd((record.Topic, partition), _ => new PartitionQueue());
        var published = new Pending(record, key, new TaskCompletionSource<PublishResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool flush;
        lock (queue)
        {
            queue.Records.Add(published);
            flush = !queue.Flushing;
            queue.Flushing |= flush;
        }

        if (flush)
        {
            await FlushAsync(record.Topic, partition, queue).ConfigureAwait(false);
        }

        return await published.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ITransportConsumer Subscribe(string topic, string group, int maxBufferedPerPartition = 0) => new EmbeddedConsumer(Broker, topic, group, maxBufferedPerPartition);

    /// <inheritdoc />
    public async IAsyncEnumerable<IncomingRecord> ReadAllAsync(string topic, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var partitions = Broker.DescribeTopic(topic)?.Partitions ?? 0;
        for (var partition = 0; partition < partitions; partition++)
        {
            var end = Broker.ListOffset(topic, partition, OffsetQuery.Latest).Offset;
            var offset = Broker.ListOffset(topic, partition, OffsetQuery.Earliest).Offset;
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            while (offset < end)
            {
                buffer.ResetWrittenCount();
                var fetched = await Broker.FetchAsync(topic, partition, offset, 1024 * 1024, buffer, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (fetched.Error != ErrorCode.None || fetched.BytesWritten == 0)
                {
                    break;
                }

                var reader = new RecordBatchReader(buffer.WrittenMemory);
                while (true)
                {
                    RecordBatch batch;
                    IncomingRecord? standIn = null;
                    var start = reader.Position;
                    try
                    {
                        if (!reader.TryReadNext(out batch))
                        {
                            break;
                        }
                    }
                    catch (InvalidRecordBatchException exception) when (reader.SkipDamaged() is { } damaged && damaged.NextOffset > offset && damaged.NextOffset <= fetched.HighWatermark)
                    {
                        batch = default;
                        standIn = DamagedBatch.ToRecord(topic, partition, damaged, buffer.WrittenMemory[start..reader.Position], exception.Message);
                        offset = damaged.NextOffset;
                    }

                    if (standIn is not null)
                    {
                        yield return standIn;
                        continue;
                    }

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
            .Select(p => new PartitionPosition(p, committed.GetValueOrDefault(p, -1), Broker.ListOffset(topic, p, OffsetQuery.Latest).Offset))];
        return Task.FromResult(positions);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ownsBroker ? Broker.DisposeAsync() : ValueTask.CompletedTask;

    // Runs on the publisher that found the partition idle, until nothing is waiting; never cancelled, as it carries others' records.
    private async Task FlushAsync(string topic, int partition, PartitionQueue queue)
    {
        while (true)
        {
            List<Pending> batch;
            lock (queue)
            {
                if (queue.Records.Count == 0)
                {
                    queue.Flushing = false;
                    return;
                }

                batch = TakeBatch(queue.Records);
            }

            try
            {
                using var builder = new RecordBatchBuilder();
                var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                foreach (var pending in batch)
                {
                    builder.Add(now, pending.Key, pending.Record.Value, [.. pending.Record.Headers.Select(h => new RecordHeader(h.Key, h.Value))]);
                }

                var result = await Broker.ProduceAsync(topic, partition, builder.ToArray(), Acks.All, CancellationToken.None).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    if (result.Error == ErrorCode.None)
                    {
                        batch[i].Result.TrySetResult(new PublishResult(partition, result.BaseOffset + i));
                    }
                    else
                    {
                        batch[i].Result.TrySetException(new PublishException($"Publishing to {topic}-{partition} failed: {result.Error}.", result.Error));
                    }
                }
            }
            catch (Exception exception)
            {
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(exception);
                }
            }
        }
    }

    // Up to 256 KiB of records per batch, well under any topic's message limit; a larger record goes alone, so only it
    // can be refused.
    private static List<Pending> TakeBatch(List<Pending> waiting)
    {
        const int MaxBatchBytes = 256 * 1024;
        var count = 0;
        var bytes = 0;
        while (count < waiting.Count)
        {
            bytes += waiting[count].Size;
            if (count > 0 && bytes > MaxBatchBytes)
            {
                break;
            }

            count++;
        }

        var batch = waiting.GetRange(0, count);
        waiting.RemoveRange(0, count);
        return batch;
    }

    private sealed record Pending(OutgoingRecord Record, byte[]? Key, TaskCompletionSource<PublishResult> Result)
    {
        // An upper bound of the record's encoded size: varints and attributes take less than 32 bytes.
        public int Size { get; } = 32 + Record.Value.Length + (Key?.Length ?? 0) + Record.Headers.Sum(h => 8 + (h.Key.Length * 3) + h.Value.Length);
    }

    private sealed class PartitionQueue
    {
        public List<Pending> Records { get; } = [];

        public bool Flushing { get; set; }
    }
}
