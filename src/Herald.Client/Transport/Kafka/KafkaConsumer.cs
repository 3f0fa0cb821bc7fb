using System.Collections.Concurrent;
using Confluent.Kafka;

namespace Herald.Client.Transport.Kafka;

/// <summary>
/// A Confluent.Kafka consumer in a group. librdkafka wants one thread to call Consume, and wants it called often enough
/// to stay in the group however slow the handlers are, so one dedicated thread polls, applies pauses, resumes and
/// commits between polls, and hands records over through a queue.
/// </summary>
internal sealed class KafkaConsumer : ITransportConsumer
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly string _topic;
    private readonly BlockingCollection<ConsumeResult<byte[]?, byte[]?>> _records = new(boundedCapacity: 10_000);
    private readonly ConcurrentQueue<Action<IConsumer<byte[]?, byte[]?>>> _commands = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile int[] _assignment = [];
    private Exception? _failure;

    public KafkaConsumer(string bootstrap, string topic, string group)
    {
        _topic = topic;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest, // a new group sees what was published before it started
            SocketNagleDisable = true,
        })
            .SetPartitionsAssignedHandler((_, partitions) => _assignment = [.. partitions.Select(p => p.Partition.Value).Order()])
            .SetPartitionsRevokedHandler((_, _) => _assignment = [])
            .SetPartitionsLostHandler((_, _) => _assignment = [])
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Run) { IsBackground = true, Name = $"herald-consumer-{topic}" };
        _thread.Start();
    }

    public IReadOnlyCollection<int> Assignment => _assignment;

    public Task<IReadOnlyList<IncomingRecord>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken) => Task.Run<IReadOnlyList<IncomingRecord>>(() =>
    {
        var records = new List<IncomingRecord>();
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("The Kafka consumer stopped.", failure);
        }

        if (_records.TryTake(out var first, (int)timeout.TotalMilliseconds, cancellationToken))
        {
            records.Add(ToRecord(first));
            while (records.Count < 500 && _records.TryTake(out var next))
            {
                records.Add(ToRecord(next));
            }
        }

        return records;
    }, cancellationToken);

    public void Pause(int partition) => _commands.Enqueue(c => c.Pause([new TopicPartition(_topic, partition)]));

    public void Resume(int partition) => _commands.Enqueue(c => c.Resume([new TopicPartition(_topic, partition)]));

    public Task CommitAsync(IReadOnlyDictionary<int, long> nextOffsets, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var offsets = nextOffsets.Select(o => new TopicPartitionOffset(_topic, o.Key, o.Value)).ToList();
        _commands.Enqueue(c =>
        {
            try
            {
                c.Commit(offsets);
                done.TrySetResult();
            }
            catch (KafkaException exception)
            {
                done.TrySetException(new CommitFailedException($"Committing offsets failed: {exception.Error.Reason}"));
            }
        });
        return done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _thread.Join();
        _consumer.Close(); // leaves the group now, so the others rebalance at once
        _consumer.Dispose();
        _records.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                while (_commands.TryDequeue(out var command))
                {
                    command(_consumer);
                }

                ConsumeResult<byte[]?, byte[]?>? result;
                try
                {
                    result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                }
                catch (ConsumeException exception) when (!exception.Error.IsFatal)
                {
                    continue; // for example a topic not created yet: librdkafka keeps trying, and so does this loop
                }

                if (result?.Message is not null && !result.IsPartitionEOF)
                {
                    _records.Add(result, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception exception)
        {
            _failure = exception;
        }
        finally
        {
            while (_commands.TryDequeue(out var command))
            {
                command(_consumer); // commits made while stopping
            }
        }
    }

    internal static IncomingRecord ToRecord(ConsumeResult<byte[]?, byte[]?> result) => new(
        result.Topic,
        result.Partition.Value,
        result.Offset.Value,
        KafkaTransport.KeyText(result.Message.Key),
        result.Message.Headers is { } headers ? [.. headers.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.GetValueBytes() ?? []))] : [],
        result.Message.Value ?? ReadOnlyMemory<byte>.Empty,
        result.Message.Timestamp.UtcDateTime);
}
