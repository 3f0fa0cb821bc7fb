using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Herald.Broker;
using Herald.Storage;

namespace Herald.Cli.Bench;

/// <summary>A broker in this process, used through its embedded API: no sockets, no protocol.</summary>
internal sealed class EmbeddedBenchTarget(HeraldBroker broker) : IBenchTarget
{
    public Task CreateTopicAsync(string topic, int partitions, CancellationToken cancellationToken)
    {
        broker.CreateTopic(topic, partitions).ThrowIfFailed();
        return Task.CompletedTask;
    }

    public Task DeleteTopicAsync(string topic, CancellationToken cancellationToken)
    {
        broker.DeleteTopic(topic);
        return Task.CompletedTask;
    }

    public IBenchProducer CreateProducer(BenchSettings settings, Action<long, bool> acknowledged) => new Producer(broker, settings, acknowledged);

    public IBenchConsumer CreateConsumer(BenchSettings settings) => new Consumer(broker);

    public ValueTask DisposeAsync() => broker.DisposeAsync();

    /// <summary>
    /// Batches like a Kafka producer: a sticky partition fills one batch until it reaches the batch size, or until it
    /// has lingered long enough and a send slot is free (with linger 0: as soon as a slot is free, so messages gather
    /// while five batches are in flight, as in librdkafka). One sender hands batches over in the order they closed.
    /// </summary>
    private sealed class Producer : IBenchProducer
    {
        private const int MaxInFlight = 5;
        private const int MaxReady = 4;
        private readonly HeraldBroker _broker;
        private readonly BenchSettings _settings;
        private readonly Action<long, bool> _acknowledged;
        private readonly SemaphoreSlim _inFlight = new(MaxInFlight, MaxInFlight);
        private readonly SemaphoreSlim _roomForReady = new(MaxReady, MaxReady);
        private readonly SemaphoreSlim _wake = new(0);
        private readonly Queue<ClosedBatch> _ready = new();
        private readonly Lock _gate = new();
        private readonly long _producerId = -1;
        private readonly int[] _sequences;
        private readonly Timer _linger;
        private readonly Task _sender;
        private RecordBatchBuilder _batch;
        private List<long> _stamps = [];
        private long _opened;
        private int _partition;
        private bool _flushing;

        public Producer(HeraldBroker broker, BenchSettings settings, Action<long, bool> acknowledged)
        {
            _broker = broker;
            _settings = settings;
            _acknowledged = acknowledged;
            _sequences = new int[settings.Partitions];
            if (settings.Idempotent)
            {
                _producerId = broker.InitProducerId().ProducerId;
            }

            _batch = new RecordBatchBuilder(OptionsFor(0));
            _sender = Task.Run(SendAllAsync);
            var period = TimeSpan.FromMilliseconds(Math.Max(1, settings.LingerMs));
            _linger = new Timer(_ => Wake(), null, period, period);
        }

        public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, long scheduled, CancellationToken cancellationToken)
        {
            bool full;
            lock (_gate)
            {
                if (_batch.Count == 0)
                {
                    _opened = Stopwatch.GetTimestamp();
                }

                _batch.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, payload);
                _stamps.Add(scheduled);
                full = _batch.UncompressedSize >= _settings.BatchBytes;
            }

            if (full)
            {
                // Wait for room before closing, so at most MaxReady full batches queue up behind the ones in flight.
                await _roomForReady.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_batch.Count > 0)
                    {
                        _ready.Enqueue(Close());
                    }
                    else
                    {
                        _roomForReady.Release(); // the sender took it meanwhile
                    }
                }
            }

            Wake();
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                _flushing = true;
            }

            Wake();
            await _sender.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            await _linger.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _flushing = true;
            }

            Wake();
            await _sender.ConfigureAwait(false);
            _batch.Dispose();
            _inFlight.Dispose();
            _roomForReady.Dispose();
            _wake.Dispose();
        }

        private void Wake()
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }

        private async Task SendAllAsync()
        {
            var pending = new List<Task>();
            while (true)
            {
                await _inFlight.WaitAsync().ConfigureAwait(false);
                ClosedBatch? next;
                while ((next = TakeNext(out var done)) is null)
                {
                    if (done)
                    {
                        _inFlight.Release();
                        await Task.WhenAll(pending).ConfigureAwait(false);
                        return;
                    }

                    await _wake.WaitAsync().ConfigureAwait(false);
                }

                pending.RemoveAll(t => t.IsCompleted);
                pending.Add(AcknowledgeAsync(_broker.ProduceAsync(_settings.Topic, next.Partition, next.Records, _settings.Acks), next.Stamps));
            }
        }

        // With a send slot free: the oldest full batch, else the open one once it has lingered (or is being flushed).
        private ClosedBatch? TakeNext(out bool done)
        {
            lock (_gate)
            {
                done = false;
                if (_ready.TryDequeue(out var full))
                {
                    _roomForReady.Release();
                    return full;
                }

                if (_batch.Count > 0 && (_flushing || Stopwatch.GetElapsedTime(_opened).TotalMilliseconds >= _settings.LingerMs))
                {
                    return Close();
                }

                done = _flushing && _batch.Count == 0;
                return null;
            }
        }

        // Called under the gate: hands over the open batch and starts the next one on the next partition.
        private ClosedBatch Close()
        {
            var closed = new ClosedBatch(_partition, _batch.ToArray(), _stamps);
            _batch.Dispose();
            _sequences[_partition] += _stamps.Count;
            _partition = (_partition + 1) % _settings.Partitions;
            _batch = new RecordBatchBuilder(OptionsFor(_partition));
            _stamps = new List<long>(closed.Stamps.Count);
            return closed;
        }

        private RecordBatchOptions OptionsFor(int partition) => RecordBatchOptions.Default with
        {
            Compression = _settings.Compression,
            ProducerId = _producerId,
            ProducerEpoch = (short)(_producerId < 0 ? -1 : 0),
            BaseSequence = _producerId < 0 ? -1 : _sequences[partition],
        };

        private async Task AcknowledgeAsync(ValueTask<ProduceResult> produce, List<long> stamps)
        {
            try
            {
                var result = await produce.ConfigureAwait(false);
                foreach (var stamp in stamps)
                {
                    _acknowledged(stamp, result.Error == ErrorCode.None);
                }
            }
            finally
            {
                _inFlight.Release();
                Wake();
            }
        }

        private sealed record ClosedBatch(int Partition, byte[] Records, List<long> Stamps);
    }

    /// <summary>Reads each partition with long-polling fetches and decodes every record.</summary>
    private sealed class Consumer(HeraldBroker broker) : IBenchConsumer
    {
        public async Task ConsumeAsync(string topic, int partitions, long count, Action<long> received, TaskCompletionSource ready, CancellationToken cancellationToken)
        {
            ready.TrySetResult(); // fetches go straight to the broker: nothing to start
            var seen = 0L;
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var readers = Enumerable.Range(0, partitions).Select(partition => Task.Run(async () =>
            {
                var buffer = new ArrayBufferWriter<byte>(1024 * 1024);
                var offset = 0L;
                while (!done.IsCancellationRequested)
                {
                    buffer.ResetWrittenCount();
                    var result = await broker.FetchAsync(topic, partition, offset, 1024 * 1024, buffer, TimeSpan.FromMilliseconds(100), cancellationToken: done.Token).ConfigureAwait(false);
                    if (result.Error != ErrorCode.None)
                    {
                        throw new CliException($"Fetching {topic}-{partition} failed: {result.Error}.");
                    }

                    var reader = new RecordBatchReader(buffer.WrittenMemory);
                    while (reader.TryReadNext(out var batch))
                    {
                        foreach (var record in batch.Records)
                        {
                            if (record.Offset >= offset)
                            {
                                received(record.Value is { Length: >= 8 } value ? BinaryPrimitives.ReadInt64LittleEndian(value.Span) : 0);
                                if (Interlocked.Increment(ref seen) >= count)
                                {
                                    await done.CancelAsync().ConfigureAwait(false);
                                }
                            }
                        }

                        offset = batch.Header.NextOffset;
                    }
                }
            }, CancellationToken.None)).ToList();
            try
            {
                await Task.WhenAll(readers).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
