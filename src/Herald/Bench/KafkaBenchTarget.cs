using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Herald.Cli.Bench;

/// <summary>A server reached through Confluent.Kafka (librdkafka), as any Kafka application would reach it.</summary>
internal sealed class KafkaBenchTarget(Access.RemoteServer server) : IBenchTarget
{
    private readonly IAdminClient _admin = new AdminClientBuilder(server.Configure(new AdminClientConfig())).Build();

    public async Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken)
    {
        try
        {
            await _admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
        }
        catch (CreateTopicsException exception)
        {
            throw new CliException($"Creating the bench topic failed: {exception.Results[0].Error.Reason}");
        }
    }

    public Task DeleteTopicAsync(string topic, CancellationToken cancellationToken) => _admin.DeleteTopicsAsync([topic]);

    public IBenchProducer CreateProducer(BenchSettings settings, Action<long, bool> acknowledged) => new Producer(server, settings, acknowledged);

    public IBenchConsumer CreateConsumer(BenchSettings settings) => new Consumer(server);

    public ValueTask DisposeAsync()
    {
        _admin.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Producer(Access.RemoteServer server, BenchSettings settings, Action<long, bool> acknowledged) : IBenchProducer
    {
        private readonly IProducer<Null, byte[]> _producer = new ProducerBuilder<Null, byte[]>(server.Configure(new ProducerConfig
        {
            Acks = settings.Acks switch { Broker.Acks.All => Confluent.Kafka.Acks.All, Broker.Acks.Leader => Confluent.Kafka.Acks.Leader, _ => Confluent.Kafka.Acks.None },
            EnableIdempotence = settings.Idempotent,
            LingerMs = settings.LingerMs,
            BatchSize = settings.BatchBytes,
            CompressionType = (Confluent.Kafka.CompressionType)(int)settings.Compression,
            QueueBufferingMaxKbytes = 1024 * 1024,
            QueueBufferingMaxMessages = 1_000_000,
            SocketNagleDisable = true, // as the Java client always does; librdkafka's default holds back small requests
        })).Build();

        private readonly string _topic = settings.Topic;
        private readonly byte[] _value = new byte[settings.Size];

        public ValueTask SendAsync(ReadOnlyMemory<byte> payload, long scheduled, CancellationToken cancellationToken)
        {
            payload.Span.CopyTo(_value);
            var message = new Message<Null, byte[]> { Value = _value };
            while (true)
            {
                try
                {
                    _producer.Produce(_topic, message, report => acknowledged(scheduled, !report.Error.IsError));
                    return ValueTask.CompletedTask;
                }
                catch (ProduceException<Null, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
                {
                    _producer.Poll(TimeSpan.FromMilliseconds(1)); // librdkafka's queue is full: let deliveries drain it
                }
            }
        }

        public Task FlushAsync(CancellationToken cancellationToken) => Task.Run(() =>
        {
            while (_producer.Flush(TimeSpan.FromMilliseconds(200)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }, cancellationToken);

        public ValueTask DisposeAsync()
        {
            _producer.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Consumer(Access.RemoteServer server) : IBenchConsumer
    {
        public Task ConsumeAsync(string topic, int partitions, long count, Action<long> received, TaskCompletionSource ready, CancellationToken cancellationToken) => Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, long>(server.Configure(new ConsumerConfig
            {
                GroupId = "herald-bench",
                EnableAutoCommit = false,
                EnableAutoOffsetStore = false, // the bench commits nothing: storing each offset only costs a lock per message
                FetchWaitMaxMs = 500,
                FetchMaxBytes = 64 * 1024 * 1024,
                MaxPartitionFetchBytes = 8 * 1024 * 1024,
                SocketNagleDisable = true,
            })).SetValueDeserializer(new StampDeserializer()).Build();
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var seen = 0L;
            var warmUp = Stopwatch.StartNew();
            while (warmUp.ElapsedMilliseconds < 500 && seen < count)
            {
                // librdkafka starts fetching in the background after the first polls: wait for it before the clock starts.
                if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is { } early)
                {
                    received(early.Message.Value);
                    seen++;
                }
            }

            ready.TrySetResult();
            for (; seen < count && !cancellationToken.IsCancellationRequested;)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } record)
                {
                    received(record.Message.Value);
                    seen++;
                }
            }
        }, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Reads only the send stamp, so the consumer allocates nothing per message.</summary>
    private sealed class StampDeserializer : IDeserializer<long>
    {
        public long Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context) =>
            data.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(data) : 0;
    }
}
