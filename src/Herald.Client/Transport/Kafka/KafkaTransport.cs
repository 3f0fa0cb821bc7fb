using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Herald.Client.Transport.Kafka;

/// <summary>
/// Any Kafka cluster, or <c>herald serve</c>, through Confluent.Kafka. The producer is durable by default: acks=all and
/// idempotent, so a retried send is stored once.
/// </summary>
internal sealed class KafkaTransport : IEventTransport
{
    private readonly ClientConfig _connection;
    private readonly IProducer<string?, byte[]> _producer;
    private readonly IAdminClient _admin;
    private readonly Action<ConsumerConfig>? _configureConsumer;

    /// <param name="bootstrapServers">HOST:PORT[,HOST:PORT...].</param>
    /// <param name="configure">Changes to librdkafka's producer settings, applied after Herald's defaults.</param>
    /// <param name="configureConsumer">Changes to librdkafka's consumer settings (timeouts), applied after Herald's defaults.</param>
    /// <param name="configureConnection">
    /// How every client of the transport connects (security.protocol, SASL, TLS): the producer, the consumers, the admin
    /// client and the readers alike.
    /// </param>
    public KafkaTransport(string bootstrapServers, Action<ProducerConfig>? configure = null, Action<ConsumerConfig>? configureConsumer = null, Action<ClientConfig>? configureConnection = null)
    {
        _connection = new ClientConfig { BootstrapServers = bootstrapServers };
        configureConnection?.Invoke(_connection);
        _configureConsumer = configureConsumer;
        var config = new ProducerConfig(Copy(_connection))
        {
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 1,
            SocketNagleDisable = true,
            Partitioner = Partitioner.Murmur2Random, // the Java client's and Herald's partitioner, so keys land alike everywhere
        };
        configure?.Invoke(config);
        _producer = new ProducerBuilder<string?, byte[]>(config).Build();
        _admin = new AdminClientBuilder(new AdminClientConfig(Copy(_connection))).Build();
    }

    /// <inheritdoc />
    public string System => "kafka";

    /// <inheritdoc />
    public async Task EnsureTopicAsync(string topic, int partitions, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? configs = null)
    {
        try
        {
            var specification = new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = -1, Configs = configs?.ToDictionary() };
            await _admin.CreateTopicsAsync([specification]).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (CreateTopicsException exception) when (exception.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
        }
    }

    /// <inheritdoc />
    public async Task<PublishResult> PublishAsync(OutgoingRecord record, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        foreach (var (name, value) in record.Headers)
        {
            headers.Add(name, value);
        }

        try
        {
            var delivered = await _producer.ProduceAsync(record.Topic, new Message<string?, byte[]> { Key = record.Key, Value = record.Value.ToArray(), Headers = headers }, cancellationToken).ConfigureAwait(false);
            return new PublishResult(delivered.Partition.Value, delivered.Offset.Value);
        }
        catch (ProduceException<string?, byte[]> exception)
        {
            throw new PublishException($"Publishing to {record.Topic} failed: {exception.Error.Reason}", (Herald.Broker.ErrorCode)(short)exception.Error.Code, exception);
        }
    }

    /// <inheritdoc />
    public ITransportConsumer Subscribe(string topic, string group, int maxBufferedPerPartition = 0) => new KafkaConsumer(_connection, topic, group, maxBufferedPerPartition, _configureConsumer);

    /// <inheritdoc />
    public async IAsyncEnumerable<IncomingRecord> ReadAllAsync(string topic, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var metadata = Existing(topic);
        if (metadata is null)
        {
            yield break;
        }

        using var reader = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(Copy(_connection))
        {
            GroupId = "herald-reader-" + Guid.NewGuid().ToString("N"), // required by librdkafka; never joined, nothing committed
            EnableAutoCommit = false,
            SocketNagleDisable = true,
        }).Build();
        foreach (var partition in metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)))
        {
            var ends = reader.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
            if (ends.High.Value <= ends.Low.Value)
            {
                continue;
            }

            reader.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var result = await Task.Run(() => reader.Consume(TimeSpan.FromMilliseconds(200)), cancellationToken).ConfigureAwait(false);
                if (result?.Message is null)
                {
                    continue;
                }

                yield return KafkaConsumer.ToRecord(result);
                if (result.Offset.Value >= ends.High.Value - 1)
                {
                    break;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<PartitionPosition>> PositionsAsync(string topic, string group, CancellationToken cancellationToken)
    {
        // librdkafka's metadata call blocks its thread for up to 10 s when the cluster is gone; the caller need not wait.
        var metadata = await Task.Run(() => Existing(topic), CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (metadata is null)
        {
            return [];
        }

        var partitions = metadata.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        var groupOffsets = await _admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, partitions)]).WaitAsync(cancellationToken).ConfigureAwait(false);
        var committed = groupOffsets.SelectMany(g => g.Partitions).ToDictionary(p => p.Partition.Value, p => Math.Max(p.Offset.Value, -1)); // Kafka's "none" is -1001
        var ends = await _admin.ListOffsetsAsync(partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() })).WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. ends.ResultInfos.Select(r => new PartitionPosition(r.TopicPartitionOffsetError.Partition.Value, committed.GetValueOrDefault(r.TopicPartitionOffsetError.Partition.Value, -1), r.TopicPartitionOffsetError.Offset.Value)).OrderBy(p => p.Partition)];
    }

    // Metadata for all topics, never for one by name: a broker that auto-creates topics would create it just for asking.
    private TopicMetadata? Existing(string topic) =>
        _admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.FirstOrDefault(t => t.Topic == topic && !t.Error.IsError);

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
        _admin.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static string? KeyText(byte[]? key) => key is null ? null : Encoding.UTF8.GetString(key);

    /// <summary>
    /// A copy of the connection settings: Confluent.Kafka's config constructors wrap the settings they are given, so
    /// one client's settings would otherwise become the next one's.
    /// </summary>
    internal static ClientConfig Copy(ClientConfig connection) => new(connection.ToDictionary(c => c.Key, c => c.Value));
}
