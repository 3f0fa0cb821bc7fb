using System.Collections.Concurrent;
using System.Threading.Channels;
using Confluent.Kafka;

namespace Herald.Client.Transport.Kafka;

/// <summary>
/// A Confluent.Kafka consumer in a group. librdkafka wants one thread to call Consume, and wants it called often enough
/// to stay in the group however slow the handlers are, so one dedicated thread polls, runs pauses, resumes and commits
/// between polls (also while the hand-over queue is full), and hands records over through a bounded queue. Records
/// fetched before a rebalance are dropped at hand-over, so a partition's new owner starts from its committed offset.
/// </summary>
internal sealed class KafkaConsumer : ITransportConsumer
{
    private static readonly TimeSpan CommitTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop waits for the consumer to leave its group.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly string _topic;
    private readonly Channel<(int Epoch, ConsumeResult<byte[]?, byte[]?> Result)> _records = Channel.CreateBounded<(int, ConsumeResult<byte[]?, byte[]?>)>(new BoundedChannelOptions(10_000) { SingleReader = true, SingleWriter = true });
    private readonly ConcurrentQueue<Action<IConsumer<byte[]?, byte[]?>>> _commands = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly HashSet<int> _pausedByOwner = []; // by Pause(); only touched on the consumer thread
    private readonly ConcurrentDictionary<int, byte> _pausedForRoom = new(); // no credit left; written on the consumer thread
    private readonly Dictionary<int, long> _rewindTo = []; // where a partition paused for room starts again; consumer thread only
    private readonly PartitionCredits _credits;
    private bool _overflowing; // the hand-over queue is full and every partition is paused; consumer thread only
    private volatile int[] _assignment = [];
    private volatile int _epoch;
    private volatile Exception? _failure;

    public KafkaConsumer(ClientConfig connection, string topic, string group, int maxBufferedPerPartition, Action<ConsumerConfig>? configure)
    {
        _topic = topic;
        _credits = new PartitionCredits(maxBufferedPerPartition);
        var config = new ConsumerConfig(KafkaTransport.Copy(connection))
        {
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest, // a new group sees what was published before it started
            SocketNagleDisable = true,

            // librdkafka's own read-ahead, sized to the SDK's, so it does not fetch far beyond what may be handed over.
            QueuedMinMessages = maxBufferedPerPartition > 0 ? maxBufferedPerPartition : null,
        };
        configure?.Invoke(config);
        config.GroupId = group; // these are the SDK's to decide
        config.EnableAutoCommit = false;
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) => Reassign([.. partitions.Select(p => p.Partition.Value).Order()]))
            .SetPartitionsRevokedHandler((_, _) => Reassign([]))
            .SetPartitionsLostHandler((_, _) => Reassign([]))
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Run) { IsBackground = true, Name = $"herald-consumer-{topic}" };
        _thread.Start();
    }

    public IReadOnlyCollection<int> Assignment => _assignment;

    public async Task<IReadOnlyList<IncomingRecord>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("The Kafka consumer stopped.", failure);
        }

        var records = new List<IncomingRecord>();
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            if (!await _records.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
            {
                return records;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return records; // the timeout
        }

        while (records.Count < 500 && _records.Reader.TryRead(out var item))
        {
            if (item.Epoch == _epoch)
            {
                records.Add(ToRecord(item.Result));
            }
            else
            {
                _credits.Return(item.Result.Partition.Value, 1); // fetched for an assignment that is gone
            }
        }

        return records;
    }

    public void Finished(int partition, int count)
    {
        _credits.Return(partition, count);
        if (_pausedForRoom.ContainsKey(partition))
        {
            Execute(c => ResumeIfFree(c, partition)); // it had no room left, and now has
        }
    }

    public void Pause(int partition) => Execute(c =>
    {
        _pausedByOwner.Add(partition);
        c.Pause([new TopicPartition(_topic, partition)]);
    });

    public void Resume(int partition) => Execute(c =>
    {
        _pausedByOwner.Remove(partition);
        ResumeIfFree(c, partition);
    });

    public Task CommitAsync(IReadOnlyDictionary<int, long> nextOffsets, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var offsets = nextOffsets.Select(o => new TopicPartitionOffset(_topic, o.Key, o.Value)).ToList();
        Execute(c =>
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
        return done.Task.WaitAsync(CommitTimeout, cancellationToken);
    }

    /// <summary>
    /// Stops polling and leaves the group, but waits for neither longer than <see cref="CloseTimeout"/>: with the cluster
    /// gone, a commit in progress or the leave could block for a minute. What is still running then finishes on its own.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        var closing = Task.Run(() =>
        {
            _thread.Join(); // the poll thread may be inside a blocking commit; librdkafka must not be closed under it
            try
            {
                _consumer.Close(); // leaves the group now, so the others rebalance at once
            }
            catch (KafkaException)
            {
                // Already out of the group (a fatal error, or the cluster is gone): nothing to leave.
            }

            _consumer.Dispose();
            _stop.Dispose();
        });
        await closing.WaitAsync(CloseTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    internal static IncomingRecord ToRecord(ConsumeResult<byte[]?, byte[]?> result) => new(
        result.Topic,
        result.Partition.Value,
        result.Offset.Value,
        KafkaTransport.KeyText(result.Message.Key),
        result.Message.Headers is { } headers ? [.. headers.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.GetValueBytes() ?? []))] : [],
        result.Message.Value ?? ReadOnlyMemory<byte>.Empty,
        result.Message.Timestamp.UtcDateTime);

    // Called on the consumer thread, inside Consume: what was fetched for the old assignment is not handed over.
    private void Reassign(int[] partitions)
    {
        _epoch++;
        _pausedByOwner.Clear(); // the owner starts every newly assigned partition from running
        _pausedForRoom.Clear();
        _rewindTo.Clear(); // librdkafka starts every partition of the new assignment from its committed offset
        _credits.KeepOnly(partitions);
        _assignment = partitions;
    }

    /// <summary>
    /// Takes a credit for a record about to be handed over. Without one the partition pauses and the record is not
    /// handed over: fetching starts again from it once there is room, and until then any record of the partition that
    /// librdkafka still returns is dropped. Consumer thread only.
    /// </summary>
    private bool HasRoomFor(ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.Partition.Value;
        if (_rewindTo.TryGetValue(partition, out var from))
        {
            if (_pausedForRoom.ContainsKey(partition) || result.Offset.Value != from)
            {
                return false; // fetched before the pause; it comes again from `from`
            }

            _rewindTo.Remove(partition);
        }

        if (_credits.Take(partition, 1) == 1)
        {
            return true;
        }

        _rewindTo[partition] = result.Offset.Value;
        _pausedForRoom[partition] = 0;
        _consumer.Pause([result.TopicPartition]);
        return false;
    }

    // Fetching goes on only when neither the owner, nor the lack of room, nor an overflow holds the partition.
    private void ResumeIfFree(IConsumer<byte[]?, byte[]?> consumer, int partition)
    {
        if (_pausedForRoom.ContainsKey(partition) && !_credits.WorthFetching(partition))
        {
            return;
        }

        _pausedForRoom.TryRemove(partition, out _);
        if (_pausedByOwner.Contains(partition) || _overflowing)
        {
            return; // the owner's resume, or the end of the overflow, resumes it
        }

        var topicPartition = new TopicPartition(_topic, partition);
        consumer.Resume([topicPartition]);
        if (_rewindTo.TryGetValue(partition, out var from))
        {
            consumer.Seek(new TopicPartitionOffset(topicPartition, from)); // drops what was fetched after it
        }
    }

    // Commands run on the consumer thread; once it has stopped, here (the consumer is not disposed before it stops).
    private void Execute(Action<IConsumer<byte[]?, byte[]?>> command)
    {
        _commands.Enqueue(command);
        if (!_thread.IsAlive)
        {
            RunCommands();
        }
    }

    private void RunCommands()
    {
        while (_commands.TryDequeue(out var command))
        {
            try
            {
                command(_consumer);
            }
            catch (KafkaException)
            {
                // A pause or resume of a partition no longer assigned: nothing to do.
            }
        }
    }

    // The reader is behind and the queue is full. Every partition is paused and Consume goes on being called (that is
    // what keeps the member in its group, however long the reader takes); what it still returns is kept, in order,
    // and handed over as room appears. Then the partitions the owner did not pause itself are resumed.
    private void Overflow((int Epoch, ConsumeResult<byte[]?, byte[]?> Result) first)
    {
        var pending = new Queue<(int, ConsumeResult<byte[]?, byte[]?>)>([first]);
        _overflowing = true;
        _consumer.Pause(_consumer.Assignment);
        try
        {
            while (pending.Count > 0 && !_stop.IsCancellationRequested)
            {
                RunCommands();
                while (pending.TryPeek(out var next) && _records.Writer.TryWrite(next))
                {
                    pending.Dequeue();
                }

                if (pending.Count > 0 && _consumer.Consume(TimeSpan.FromMilliseconds(50)) is { Message: not null, IsPartitionEOF: false } more && HasRoomFor(more))
                {
                    pending.Enqueue((_epoch, more));
                }
            }
        }
        finally
        {
            _overflowing = false;
            foreach (var partition in _consumer.Assignment)
            {
                ResumeIfFree(_consumer, partition.Partition.Value);
            }
        }
    }

    private void Run()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                RunCommands();
                ConsumeResult<byte[]?, byte[]?>? result;
                try
                {
                    result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                }
                catch (ConsumeException exception) when (!exception.Error.IsFatal)
                {
                    continue; // for example a topic not created yet: librdkafka keeps trying, and so does this loop
                }

                if (result?.Message is null || result.IsPartitionEOF || !HasRoomFor(result))
                {
                    continue;
                }

                if (!_records.Writer.TryWrite((_epoch, result)))
                {
                    Overflow((_epoch, result));
                }
            }
        }
        catch (Exception exception)
        {
            _failure = exception;
        }
        finally
        {
            RunCommands(); // commits made while stopping
        }
    }
}
