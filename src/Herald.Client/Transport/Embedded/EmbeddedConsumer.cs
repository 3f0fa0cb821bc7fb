using System.Buffers;
using System.Text;
using Herald.Broker;
using Herald.Storage;

namespace Herald.Client.Transport.Embedded;

/// <summary>
/// A member of a consumer group on the embedded broker, speaking the same group protocol as Kafka clients (join, sync
/// with a range assignment, heartbeats), so embedded and Kafka members of one group share its partitions.
/// </summary>
internal sealed class EmbeddedConsumer : ITransportConsumer
{
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);
    private const int MaxBytesPerPartition = 1024 * 1024;
    private readonly PartitionCredits _credits;

    private readonly HeraldBroker _broker;
    private readonly string _topic;
    private readonly string _group;
    private readonly HashSet<int> _paused = [];
    private readonly Dictionary<int, long> _positions = [];
    private readonly CancellationTokenSource _stop = new();
    private string _memberId = string.Empty;
    private int _generation = -1;
    private volatile bool _mustRejoin = true;
    private int[] _assignment = [];
    private int _partitionsAtJoin;
    private Task _heartbeats = Task.CompletedTask;

    public EmbeddedConsumer(HeraldBroker broker, string topic, string group, int maxBufferedPerPartition)
    {
        _broker = broker;
        _topic = topic;
        _group = group;
        _credits = new PartitionCredits(maxBufferedPerPartition);
    }

    public IReadOnlyCollection<int> Assignment => _assignment;

    public async Task<IReadOnlyList<IncomingRecord>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_mustRejoin || PartitionCount() != _partitionsAtJoin)
        {
            // Like a Kafka client's metadata refresh: a topic created (or grown) since the last join is rebalanced over.
            await JoinAsync(cancellationToken).ConfigureAwait(false);
        }

        var fetch = new FetchBatch();
        var buffers = new List<(int Partition, ArrayBufferWriter<byte> Buffer)>();
        foreach (var partition in _assignment)
        {
            if (_paused.Contains(partition) || !_credits.WorthFetching(partition))
            {
                continue;
            }

            var buffer = new ArrayBufferWriter<byte>();
            fetch.Add(_topic, partition, _positions[partition], MaxBytesPerPartition, buffer);
            buffers.Add((partition, buffer));
        }

        if (fetch.Count == 0)
        {
            // Nothing to fetch (paused, or no room): wait for room, or the timeout, which is when pauses are looked at again.
            await _credits.WhenReturnedAsync(timeout, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return [];
        }

        await _broker.FetchAsync(fetch, buffers.Count * MaxBytesPerPartition, timeout, 1, cancellationToken).ConfigureAwait(false);
        var records = new List<IncomingRecord>();
        for (var i = 0; i < fetch.Count; i++)
        {
            var (partition, buffer) = buffers[i];
            var result = fetch[i];
            if (result.Error == ErrorCode.OffsetOutOfRange)
            {
                _positions[partition] = _broker.ListOffset(_topic, partition, OffsetQuery.Earliest).Offset; // deleted by retention: resume at the start
                continue;
            }

            if (result.Error != ErrorCode.None)
            {
                // The supervisor logs it and polls again after its backoff, rather than spinning on a failed partition.
                throw new IOException($"Reading {_topic}-{partition} failed: {result.Error}.");
            }

            var reader = new RecordBatchReader(buffer.WrittenMemory);
            while (_credits.Available(partition) > 0)
            {
                RecordBatch batch;
                var start = reader.Position;
                try
                {
                    if (!reader.TryReadNext(out batch))
                    {
                        break;
                    }
                }
                catch (InvalidRecordBatchException exception) when (reader.SkipDamaged() is { } damaged && damaged.NextOffset > _positions[partition] && damaged.NextOffset <= result.HighWatermark)
                {
                    _credits.Take(partition, 1);
                    records.Add(DamagedBatch.ToRecord(_topic, partition, damaged, buffer.WrittenMemory[start..reader.Position], exception.Message));
                    _positions[partition] = damaged.NextOffset;
                    continue;
                }

                foreach (var record in batch.Records)
                {
                    if (record.Offset < _positions[partition])
                    {
                        continue; // a batch starts before the position asked for
                    }

                    if (_credits.Take(partition, 1) == 0)
                    {
                        break; // the partition's read-ahead is full: the rest is fetched again once there is room
                    }

                    records.Add(ToIncoming(_topic, partition, record));
                    _positions[partition] = record.Offset + 1;
                }
            }
        }

        return records;
    }

    internal static IncomingRecord ToIncoming(string topic, int partition, Record record) => new(
        topic,
        partition,
        record.Offset,
        record.Key is { } key ? Encoding.UTF8.GetString(key.Span) : null,
        [.. record.Headers.Select(h => new KeyValuePair<string, byte[]>(h.Key, h.Value?.ToArray() ?? []))],
        record.Value?.ToArray() ?? ReadOnlyMemory<byte>.Empty,
        DateTimeOffset.FromUnixTimeMilliseconds(record.Timestamp));

    public void Finished(int partition, int count) => _credits.Return(partition, count);

    public void Pause(int partition) => _paused.Add(partition);

    public void Resume(int partition) => _paused.Remove(partition);

    public Task CommitAsync(IReadOnlyDictionary<int, long> nextOffsets, CancellationToken cancellationToken)
    {
        var result = _broker.CommitOffsets(_group, [.. nextOffsets.Select(o => new CommittedOffset(new TopicPartition(_topic, o.Key), o.Value))], _generation, _memberId, null);
        if (!result.Succeeded)
        {
            _mustRejoin = result.Error is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration or ErrorCode.UnknownMemberId || _mustRejoin;
            throw new CommitFailedException($"Committing offsets of group '{_group}' failed: {result.Error}.");
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _heartbeats.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_memberId.Length > 0)
        {
            _broker.LeaveGroup(_group, _memberId);
        }

        _stop.Dispose();
    }

    private async Task JoinAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var subscription = ConsumerProtocol.WriteSubscription([_topic]);
            var joined = await _broker.JoinGroupAsync(
                new MemberJoinRequest(_group, _memberId, null, "consumer", [new GroupProtocol("range", subscription)], SessionTimeout, TimeSpan.FromSeconds(30), RequireKnownMemberId: false, ClientId: "herald-client"),
                cancellationToken).ConfigureAwait(false);
            if (joined.Error == ErrorCode.UnknownMemberId)
            {
                _memberId = string.Empty;
                continue;
            }

            if (joined.Error != ErrorCode.None)
            {
                throw new InvalidOperationException($"Joining group '{_group}' failed: {joined.Error}.");
            }

            _memberId = joined.MemberId;
            _generation = joined.GenerationId;
            _partitionsAtJoin = PartitionCount();
            var assignments = joined.LeaderId == joined.MemberId ? AssignRanges(joined.Members) : [];
            var synced = await _broker.SyncGroupAsync(_group, _generation, _memberId, null, assignments, cancellationToken).ConfigureAwait(false);
            if (synced.Error is ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration)
            {
                continue;
            }

            if (synced.Error != ErrorCode.None)
            {
                throw new InvalidOperationException($"Syncing group '{_group}' failed: {synced.Error}.");
            }

            _assignment = [.. (ConsumerProtocol.ReadAssignment(synced.Assignment) ?? []).Where(p => p.Topic == _topic).Select(p => p.Partition).Order()];
            StartAtCommittedOffsets();
            _credits.KeepOnly(_assignment);
            _mustRejoin = false;
            if (_heartbeats.IsCompleted)
            {
                _heartbeats = HeartbeatAsync();
            }

            return;
        }
    }

    private int PartitionCount() => _broker.DescribeTopic(_topic)?.Partitions ?? 0;

    // Kafka's range assignor: per topic, the members subscribed to it sorted by id, each a contiguous range, the first
    // ones one more when it does not divide. Members of one group may read different topics (a service with a
    // consumer per topic under one group name, or another client), so each member's own subscription counts.
    private List<(string MemberId, byte[] Assignment)> AssignRanges(IReadOnlyList<JoinedMember> members)
    {
        var subscriptions = members.ToDictionary(m => m.MemberId, m => ConsumerProtocol.ReadSubscription(m.Metadata) ?? []);
        var owned = members.ToDictionary(m => m.MemberId, _ => new List<TopicPartition>());
        foreach (var topic in subscriptions.Values.SelectMany(t => t).Distinct(StringComparer.Ordinal))
        {
            var partitions = _broker.DescribeTopic(topic)?.Partitions ?? 0;
            var sorted = subscriptions.Where(s => s.Value.Contains(topic)).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
            var next = 0;
            for (var i = 0; i < sorted.Count; i++)
            {
                var count = (partitions / sorted.Count) + (i < partitions % sorted.Count ? 1 : 0);
                owned[sorted[i]].AddRange(Enumerable.Range(next, count).Select(p => new TopicPartition(topic, p)));
                next += count;
            }
        }

        return [.. owned.Select(o => (o.Key, ConsumerProtocol.WriteAssignment(o.Value)))];
    }

    // A new group starts at the earliest offset: a service that starts after events were published still sees them.
    private void StartAtCommittedOffsets()
    {
        _positions.Clear();
        _paused.IntersectWith(_assignment); // a partition kept across the rebalance stays as its owner left it
        var committed = _broker.FetchOffsets(_group, _assignment.Select(p => new TopicPartition(_topic, p))).ToDictionary(c => c.Partition.Partition, c => c.Offset);
        foreach (var partition in _assignment)
        {
            _positions[partition] = committed.TryGetValue(partition, out var offset) && offset >= 0 ? offset : _broker.ListOffset(_topic, partition, OffsetQuery.Earliest).Offset;
        }
    }

    private async Task HeartbeatAsync()
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (!_mustRejoin && _broker.Heartbeat(_group, _generation, _memberId) != ErrorCode.None)
                {
                    _mustRejoin = true; // a rebalance, or the session ended: the next poll rejoins
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
