using System.Buffers;
using Herald.Broker.Internal;
using Herald.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Broker;

/// <summary>
/// The broker engine, in process: topics and partitions on durable logs, produce with Kafka's acks, fetch that waits for
/// data, offsets lookup and record deletion. Every other room (the Kafka listener, the SDK's embedded transport, the CLI)
/// goes through this API. Thread-safe.
/// </summary>
public sealed class HeraldBroker : IAsyncDisposable
{
    /// <summary>The longest metadata string a commit may carry, as Kafka's offset.metadata.max.bytes default.</summary>
    public const int MaxCommitMetadataBytes = 4096;

    private readonly BrokerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TopicRegistry _topics;
    private readonly ProducerIdAllocator _producerIds;
    private readonly WaitingFetch _fetches;
    private readonly DataDirectoryLock? _lock;
    private GroupCoordinator _groups = null!;
    private RetentionSchedule? _retention;
    private bool _disposed;

    private HeraldBroker(BrokerOptions options, ILogFileSystem fileSystem, string directory, ILoggerFactory loggers, TimeProvider time, DataDirectoryLock? directoryLock)
    {
        _options = options;
        _logger = loggers.CreateLogger<HeraldBroker>();
        _time = time;
        _lock = directoryLock;
        _topics = new TopicRegistry(options, fileSystem, directory, loggers, time, name => _groups.RemoveTopic(name));
        _producerIds = new ProducerIdAllocator(fileSystem, directory);
        _fetches = new WaitingFetch(time, PartitionErrorFor);
    }

    /// <summary>
    /// Opens the data directory (locking it against other processes), recovers every partition and returns a running broker.
    /// </summary>
    /// <exception cref="DataDirectoryLockedException">When another process has the directory open.</exception>
    /// <exception cref="DataDirectoryUnusableException">When the directory cannot be created or written.</exception>
    public static Task<HeraldBroker> StartAsync(BrokerOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var directory = options.InMemory ? "/herald" : Path.GetFullPath(options.DataDirectory);
        ILogFileSystem fileSystem = options.InMemory ? new MemoryFileSystem() : DiskFileSystem.Instance;
        var directoryLock = options.InMemory ? null : DataDirectoryLock.Acquire(directory);
        var broker = new HeraldBroker(options, fileSystem, directory, loggerFactory ?? NullLoggerFactory.Instance, timeProvider ?? TimeProvider.System, directoryLock);
        try
        {
            fileSystem.CreateDirectory(directory);
            broker._topics.Load(cancellationToken);
            broker._groups = new GroupCoordinator(new OffsetStore(fileSystem, directory), options, broker._time, broker._topics.Named);
            broker._retention = new RetentionSchedule(broker._time, options.RetentionCheckInterval, () => broker._topics.All, broker._logger);
            BrokerTelemetry.Track(broker);
            return Task.FromResult(broker);
        }
        catch
        {
            broker.CloseEverything();
            throw;
        }
    }

    /// <summary>The settings the broker runs with.</summary>
    /// <summary>
    /// Creates a topic. With <paramref name="partitions"/> null, the broker's default count is used. With
    /// <paramref name="validateOnly"/>, only checks that it could be created.
    /// </summary>
    public AdminResult CreateTopic(string name, int? partitions = null, IReadOnlyDictionary<string, string>? configs = null, bool validateOnly = false) =>
        _topics.Create(name, partitions, configs, validateOnly);

    /// <summary>Deletes a topic and all its data.</summary>
    public AdminResult DeleteTopic(string name) => _topics.Delete(name);

    /// <summary>
    /// Raises the partition count of a topic. Existing partitions and their keys' placement are untouched. With
    /// <paramref name="validateOnly"/>, only checks that it could be done.
    /// </summary>
    public AdminResult CreatePartitions(string name, int newCount, bool validateOnly = false) => _topics.CreatePartitions(name, newCount, validateOnly);

    /// <summary>
    /// Sets (non-null value) or removes (null value) config overrides of a topic; partitions apply them at once. With
    /// <paramref name="validateOnly"/>, only checks the changes.
    /// </summary>
    public AdminResult AlterTopicConfig(string name, IEnumerable<KeyValuePair<string, string?>> changes, bool validateOnly = false) => _topics.AlterConfig(name, changes, validateOnly);

    /// <summary>The settings the broker runs with.</summary>
    public BrokerOptions Options => _options;

    /// <summary>Partitions held across all topics.</summary>
    public int PartitionCount => _topics.PartitionCount;

    /// <summary>Every topic, by name.</summary>
    public IReadOnlyList<TopicDescription> ListTopics() => _topics.List();

    /// <summary>Whether a topic of this name exists.</summary>
    public bool TopicExists(string name) => _topics.Exists(name);

    /// <summary>The topic with this id (Kafka's topic id, new for each creation of a name), or null.</summary>
    public TopicDescription? DescribeTopic(Guid id) => _topics.Describe(id);

    /// <summary>The name of the topic with this id, or null; allocates nothing, for fetches that name topics by id.</summary>
    public string? TopicNameOf(Guid id) => _topics.NameOf(id);

    /// <summary>One topic, or null when it does not exist.</summary>
    public TopicDescription? DescribeTopic(string name) => _topics.Describe(name);

    /// <summary>Each partition of <paramref name="topic"/> with its offsets and size, or null when the topic does not exist.</summary>
    public IReadOnlyList<PartitionDescription>? DescribePartitions(string topic)
    {
        if (DescribeTopic(topic) is not { } description)
        {
            return null;
        }

        var partitions = new List<PartitionDescription>(description.Partitions);
        for (var partition = 0; partition < description.Partitions; partition++)
        {
            if (Find(topic, partition) is { } target)
            {
                var log = target.Partition.Log;
                partitions.Add(new PartitionDescription(partition, log.LogStartOffset, log.DurableEndOffset, log.SizeInBytes));
            }
        }

        return partitions;
    }

    /// <summary>
    /// Appends a record set (the batches a producer sent for one partition) and acknowledges it as <paramref name="acks"/>
    /// asks: with <see cref="Acks.All"/> only once it is on disk. The batches' base offsets are rewritten in place.
    /// </summary>
    public async ValueTask<ProduceResult> ProduceAsync(string topic, int partition, Memory<byte> recordSet, Acks acks = Acks.All, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(acks))
        {
            return new ProduceResult(ErrorCode.InvalidRequiredAcks, -1, -1);
        }

        if (Find(topic, partition) is not { } target)
        {
            return new ProduceResult(ErrorCode.UnknownTopicOrPartition, -1, -1);
        }

        if (acks == Acks.All && target.Topic.Config.MinInsyncReplicaCount > 1)
        {
            return new ProduceResult(ErrorCode.NotEnoughReplicas, -1, -1);
        }

        var log = target.Partition.Log;
        try
        {
            var (error, baseOffset, nextOffset, problem) = target.Partition.Append(recordSet.Span);
            if (error != ErrorCode.None)
            {
                return new ProduceResult(error, -1, log.LogStartOffset, problem);
            }

            BrokerTelemetry.Appended(topic, nextOffset - baseOffset, recordSet.Length);
            if (acks == Acks.All)
            {
                await log.WaitForDurableAsync(nextOffset, cancellationToken).ConfigureAwait(false);
            }

            return new ProduceResult(ErrorCode.None, baseOffset, log.LogStartOffset);
        }
        catch (Exception exception) when (PartitionErrorFor(exception) is { } error)
        {
            // The log has logged a storage failure, with the file; the client learns what it can act on, not the server's paths.
            return new ProduceResult(error, -1, -1, error == ErrorCode.KafkaStorageError ? "The broker could not write to its disk; its log says why." : null);
        }
    }

    /// <summary>
    /// The partition of <paramref name="topic"/> that a record with <paramref name="key"/> goes to, as Kafka's default
    /// partitioner chooses it (murmur2), so embedded and Kafka producers agree; null when the topic does not exist.
    /// </summary>
    public int? PartitionForKey(string topic, ReadOnlySpan<byte> key) =>
        DescribeTopic(topic) is { } description ? Partitioner.PartitionForKey(key, description.Partitions) : null;

    /// <summary>
    /// Allocates a producer id for an idempotent producer (Kafka's InitProducerId without a transactional id): unique
    /// across restarts, with epoch 0.
    /// </summary>
    internal (long ProducerId, short Epoch) InitProducerId()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return (_producerIds.Allocate(), 0);
    }

    // Kafka's order: the batch is checked, records and all, before its sequence is, so a damaged retry is refused rather
    // than acknowledged as a duplicate.
    /// <summary>
    /// Copies whole stored batches from <paramref name="offset"/> into <paramref name="destination"/>, up to
    /// <paramref name="maxBytes"/> (at least one whole batch), never past the high watermark. When fewer than
    /// <paramref name="minBytes"/> are available it waits, up to <paramref name="maxWait"/>, to be woken by new data.
    /// </summary>
    public async ValueTask<FetchResult> FetchAsync(string topic, int partition, long offset, int maxBytes, IBufferWriter<byte> destination, TimeSpan maxWait = default, int minBytes = 1, CancellationToken cancellationToken = default)
    {
        var batch = new FetchBatch();
        batch.Add(topic, partition, offset, maxBytes, destination);
        await FetchAsync(batch, maxBytes, maxWait, minBytes, cancellationToken).ConfigureAwait(false);
        return batch[0];
    }

    /// <summary>
    /// Kafka's Fetch over several partitions: each gets up to its own max bytes and the response up to
    /// <paramref name="maxBytes"/>, except that the first partition with data always returns at least one whole batch.
    /// When fewer than <paramref name="minBytes"/> are available in all, it waits up to <paramref name="maxWait"/> and is
    /// woken as soon as any of the partitions' high watermark advances. The results are in <paramref name="batch"/>.
    /// </summary>
    internal ValueTask FetchAsync(FetchBatch batch, int maxBytes, TimeSpan maxWait = default, int minBytes = 1, CancellationToken cancellationToken = default)
    {
        foreach (ref var entry in batch.Entries)
        {
            entry.Target = Find(entry.Topic, entry.Partition)?.Partition;
            entry.Result = entry.Target is null ? new FetchResult(ErrorCode.UnknownTopicOrPartition, 0, -1, -1) : new FetchResult(ErrorCode.None, 0, -1, -1);
        }

        return _fetches.RunAsync(batch, maxBytes, maxWait, minBytes, cancellationToken);
    }

    /// <summary>
    /// Kafka's ListOffsets for one partition: the offset <paramref name="query"/> asks for and, for the queries by time,
    /// that record's timestamp; offset -1 when there is none.
    /// </summary>
    public OffsetLookup ListOffset(string topic, int partition, OffsetQuery query)
    {
        if (Find(topic, partition) is not { } target)
        {
            return new OffsetLookup(ErrorCode.UnknownTopicOrPartition, -1);
        }

        var log = target.Partition.Log;
        var timestamp = query.KafkaTimestamp;
        return PerPartition(() => timestamp switch
        {
            -2 => new OffsetLookup(ErrorCode.None, log.LogStartOffset),
            -1 => new OffsetLookup(ErrorCode.None, log.DurableEndOffset),
            -3 => Visible(log, log.FindNewestTimestamp()),
            < 0 => new OffsetLookup(ErrorCode.InvalidRequest, -1),
            _ => Visible(log, log.FindByTimestamp(timestamp)),
        });
    }

    /// <summary>
    /// Kafka's DeleteRecords: moves the log start offset of a partition to <paramref name="offset"/> (-1 means the high
    /// watermark). Returns the new log start offset.
    /// </summary>
    public OffsetLookup DeleteRecords(string topic, int partition, long offset)
    {
        if (Find(topic, partition) is not { } target)
        {
            return new OffsetLookup(ErrorCode.UnknownTopicOrPartition, -1);
        }

        var log = target.Partition.Log;
        return PerPartition(() =>
        {
            var highWatermark = log.DurableEndOffset;
            var to = offset == -1 ? highWatermark : offset;
            return to < 0 || to > highWatermark || !log.AdvanceLogStartOffset(to)
                ? new OffsetLookup(ErrorCode.OffsetOutOfRange, log.LogStartOffset)
                : new OffsetLookup(ErrorCode.None, log.LogStartOffset);
        });
    }

    /// <summary>
    /// Stores a consumer group's positions durably before returning: the next offset to read per partition, with an
    /// optional metadata string given back by <see cref="FetchOffsets"/>. Member and generation checks come with group
    /// membership; until then any client may commit for a group.
    /// </summary>
    public AdminResult CommitOffsets(string groupId, IReadOnlyList<CommittedOffset> offsets) => CommitOffsets(groupId, offsets, -1, string.Empty, null);

    /// <summary>
    /// Commits for a member of a group: while the group has members, only a current member of the current generation
    /// may commit (Kafka's <see cref="ErrorCode.IllegalGeneration"/>, <see cref="ErrorCode.UnknownMemberId"/> and
    /// <see cref="ErrorCode.RebalanceInProgress"/> otherwise). Generation -1 with no member id commits for an empty group.
    /// </summary>
    public AdminResult CommitOffsets(string groupId, IReadOnlyList<CommittedOffset> offsets, int generation, string memberId, string? groupInstanceId)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        return _groups.CommitOffsets(groupId, offsets, generation, memberId, groupInstanceId);
    }

    /// <summary>A group's committed offsets: all of them, or those of <paramref name="partitions"/> (-1 where none).</summary>
    public IReadOnlyList<CommittedOffset> FetchOffsets(string groupId, IEnumerable<TopicPartition>? partitions = null) => _groups.FetchOffsets(groupId, partitions);

    /// <summary>Every group that has members or committed offsets.</summary>
    public IReadOnlyList<string> ListGroups() => _groups.ListGroups();

    /// <summary>A group's state, members, committed offsets and lag on each of those partitions, or null when the group is unknown.</summary>
    public GroupDescription? DescribeGroup(string groupId) => _groups.DescribeGroup(groupId);

    /// <summary>
    /// Kafka's OffsetDelete: forgets a group's commits for some partitions. While the group has members, partitions of
    /// topics its members subscribe to are refused with <see cref="ErrorCode.GroupSubscribedToTopic"/>.
    /// </summary>
    /// <returns>An error for the whole group, or one per partition.</returns>
    public (ErrorCode GroupError, IReadOnlyList<(TopicPartition Partition, ErrorCode Error)> Partitions) DeleteOffsets(string groupId, IReadOnlyList<TopicPartition> partitions) =>
        _groups.DeleteOffsets(groupId, partitions);

    /// <summary>Deletes a group's committed offsets. A group with members cannot be deleted.</summary>
    public AdminResult DeleteGroup(string groupId) => _groups.DeleteGroup(groupId);

    /// <summary>
    /// Kafka's JoinGroup (classic protocol). Completes when the rebalance it starts or joins completes: when every
    /// member has rejoined, or the rebalance timeout has passed. The leader's result lists the members.
    /// </summary>
    internal Task<JoinGroupResult> JoinGroupAsync(MemberJoinRequest request, CancellationToken cancellationToken = default) => _groups.JoinAsync(request, cancellationToken);

    /// <summary>Kafka's SyncGroup: the leader hands in every member's assignment; every member gets its own back.</summary>
    internal Task<SyncGroupResult> SyncGroupAsync(string groupId, int generation, string memberId, string? groupInstanceId, IReadOnlyList<(string MemberId, byte[] Assignment)> assignments, CancellationToken cancellationToken = default) =>
        _groups.SyncAsync(groupId, generation, memberId, groupInstanceId, assignments, cancellationToken);

    /// <summary>Kafka's Heartbeat: keeps the member's session alive; answers <see cref="ErrorCode.RebalanceInProgress"/> when it must rejoin.</summary>
    internal ErrorCode Heartbeat(string groupId, int generation, string memberId, string? groupInstanceId = null) => _groups.Heartbeat(groupId, generation, memberId, groupInstanceId);

    /// <summary>Kafka's LeaveGroup: removes the member now instead of after its session timeout, and rebalances the rest.</summary>
    internal ErrorCode LeaveGroup(string groupId, string memberId, string? groupInstanceId = null) => _groups.Leave(groupId, memberId, groupInstanceId);

    /// <summary>Applies retention to every partition now. The broker also does this on its own schedule.</summary>
    public int ApplyRetention() => _retention!.ApplyNow();

    /// <summary>Flushes and closes every partition cleanly, then releases the data directory.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_topics.MarkClosed())
        {
            return ValueTask.CompletedTask;
        }

        Volatile.Write(ref _disposed, true);
        BrokerTelemetry.Untrack(this);
        CloseEverything();
        return ValueTask.CompletedTask;
    }

    private OffsetLookup PerPartition(Func<OffsetLookup> lookup)
    {
        try
        {
            return lookup();
        }
        catch (Exception exception) when (PartitionErrorFor(exception) is { } error)
        {
            return new OffsetLookup(error, -1);
        }
    }

    /// <summary>
    /// What a partition operation that threw answers: its topic was deleted meanwhile (the partition's log is disposed,
    /// the broker is not), or its storage failed. Null for anything else, which is a bug and is rethrown.
    /// </summary>
    private ErrorCode? PartitionErrorFor(Exception exception) => exception switch
    {
        ObjectDisposedException when !Volatile.Read(ref _disposed) => ErrorCode.UnknownTopicOrPartition,
        _ when TopicRegistry.IsStorageFailure(exception) => ErrorCode.KafkaStorageError,
        _ => null,
    };

    private static OffsetLookup Visible(PartitionLog log, TimestampedOffset? found) =>
        found is { } record && record.Offset < log.DurableEndOffset
            ? new OffsetLookup(ErrorCode.None, record.Offset, record.Timestamp)
            : new OffsetLookup(ErrorCode.None, -1);

    private (Topic Topic, Partition Partition)? Find(string topic, int partition) => _topics.Find(topic, partition);

    private void CloseEverything()
    {
        _retention?.Dispose();
        _groups?.Shutdown();

        _topics.CloseTopics();
        _lock?.Dispose();
    }
}
