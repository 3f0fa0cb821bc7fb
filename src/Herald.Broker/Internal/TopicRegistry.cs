using System.Globalization;
using Herald.Storage;
using Microsoft.Extensions.Logging;

namespace Herald.Broker.Internal;

/// <summary>
/// The broker's topics: the catalog on disk, creating, growing, reconfiguring and deleting topics with their
/// partitions' directories, opening them at start, and looking them up by name or id. Admin changes are serialised;
/// lookups read a snapshot that is replaced on every change.
/// </summary>
internal sealed class TopicRegistry(BrokerOptions options, ILogFileSystem fileSystem, string directory, ILoggerFactory loggers, TimeProvider time, Action<string> topicDeleted)
{
    private readonly BrokerOptions _options = options;
    private readonly ILogFileSystem _fileSystem = fileSystem;
    private readonly string _directory = directory;
    private readonly ILoggerFactory _loggers = loggers;
    private readonly ILogger _logger = loggers.CreateLogger<HeraldBroker>();
    private readonly TimeProvider _time = time;
    private readonly Action<string> _topicDeleted = topicDeleted;
    private readonly TopicCatalog _catalog = new(fileSystem, directory);
    private readonly Lock _adminLock = new();
    private Dictionary<string, Topic> _topics = new(StringComparer.Ordinal);
    private bool _closed;

    /// <summary>
    /// Creates a topic. With <paramref name="partitions"/> null, the broker's default count is used. With
    /// <paramref name="validateOnly"/>, only checks that it could be created.
    /// </summary>
    public AdminResult Create(string name, int? partitions = null, IReadOnlyDictionary<string, string>? configs = null, bool validateOnly = false)
    {
        if (TopicName.Validate(name) is { } invalid)
        {
            return new AdminResult(ErrorCode.InvalidTopicException, invalid);
        }

        var count = partitions ?? _options.DefaultPartitions;
        if (count < 1)
        {
            return new AdminResult(ErrorCode.InvalidPartitions, $"A topic needs at least one partition, got {count}.");
        }

        if (count > _options.MaxPartitionsPerRequest)
        {
            return new AdminResult(ErrorCode.InvalidPartitions, $"A topic may be created with at most {_options.MaxPartitionsPerRequest} partitions at once, got {count}.");
        }

        var config = TopicConfig.FromOverrides(configs ?? new Dictionary<string, string>(), _options.Log, out var configError);
        if (config is null)
        {
            return new AdminResult(ErrorCode.InvalidConfig, configError);
        }

        lock (_adminLock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(HeraldBroker));
            if (_topics.ContainsKey(name))
            {
                return new AdminResult(ErrorCode.TopicAlreadyExists, $"Topic '{name}' already exists.");
            }

            foreach (var existing in _topics.Keys)
            {
                if (TopicName.Collide(existing, name))
                {
                    return new AdminResult(ErrorCode.InvalidTopicException, $"Topic '{name}' collides with existing topic '{existing}' ('.' and '_' are treated alike).");
                }
            }

            if (PartitionLimitReached(count) is { } refused)
            {
                return refused;
            }

            if (validateOnly)
            {
                return new AdminResult(ErrorCode.None);
            }

            var metadata = new TopicMetadata(name, Guid.NewGuid(), count, new Dictionary<string, string>(config.Overrides));

            // Partitions first, catalog second: a topic is recorded only once it can be opened, so no stored topic can
            // stop the next start. Whatever a failed create opened is removed again.
            Topic topic;
            try
            {
                RemoveLeftovers(name, 0, count);
                topic = OpenTopic(metadata, config);
                try
                {
                    SaveCatalog(name, metadata);
                }
                catch
                {
                    topic.Close();
                    throw;
                }
            }
            catch (Exception exception) when (IsStorageFailure(exception))
            {
                DeletePartitionDirectories(name, 0, count);
                Log.CreateFailed(_logger, exception, name, count);
                return new AdminResult(ErrorCode.KafkaStorageError, $"Creating topic '{name}' with {count} partitions failed and was rolled back: {exception.Message}");
            }

            var topics = new Dictionary<string, Topic>(_topics, StringComparer.Ordinal) { [name] = topic };
            Volatile.Write(ref _topics, topics);
            return new AdminResult(ErrorCode.None);
        }
    }

    /// <summary>Deletes a topic and all its data.</summary>
    public AdminResult Delete(string name)
    {
        lock (_adminLock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(HeraldBroker));
            if (!_topics.TryGetValue(name, out var topic))
            {
                return new AdminResult(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            // The catalog forgets the topic first; directories left by a crash after this are removed at the next start.
            if (TrySaveCatalog(name, replacement: null) is { } failed)
            {
                return failed;
            }

            var topics = new Dictionary<string, Topic>(_topics, StringComparer.Ordinal);
            topics.Remove(name);
            Volatile.Write(ref _topics, topics);
            topic.Close();
            _topicDeleted(name);
            DeletePartitionDirectories(name, 0, topic.Partitions.Count);

            return new AdminResult(ErrorCode.None);
        }
    }

    /// <summary>
    /// Raises the partition count of a topic. Existing partitions and their keys' placement are untouched. With
    /// <paramref name="validateOnly"/>, only checks that it could be done.
    /// </summary>
    public AdminResult CreatePartitions(string name, int newCount, bool validateOnly = false)
    {
        lock (_adminLock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(HeraldBroker));
            if (!_topics.TryGetValue(name, out var topic))
            {
                return new AdminResult(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            if (newCount <= topic.Partitions.Count)
            {
                return new AdminResult(ErrorCode.InvalidPartitions, $"Topic '{name}' has {topic.Partitions.Count} partitions; the new count must be larger, got {newCount}.");
            }

            var adding = newCount - topic.Partitions.Count;
            if (adding > _options.MaxPartitionsPerRequest)
            {
                return new AdminResult(ErrorCode.InvalidPartitions, $"At most {_options.MaxPartitionsPerRequest} partitions may be added at once, got {adding}.");
            }

            if (PartitionLimitReached(adding) is { } refused)
            {
                return refused;
            }

            if (validateOnly)
            {
                return new AdminResult(ErrorCode.None);
            }

            var metadata = topic.Metadata with { Partitions = newCount };
            List<Partition> added;
            try
            {
                RemoveLeftovers(name, topic.Partitions.Count, newCount);
                added = OpenPartitions(metadata, topic.Config, from: topic.Partitions.Count);
                try
                {
                    SaveCatalog(name, metadata);
                }
                catch
                {
                    foreach (var partition in added)
                    {
                        partition.Log.Dispose();
                    }

                    throw;
                }
            }
            catch (Exception exception) when (IsStorageFailure(exception))
            {
                DeletePartitionDirectories(name, topic.Partitions.Count, newCount);
                Log.CreateFailed(_logger, exception, name, adding);
                return new AdminResult(ErrorCode.KafkaStorageError, $"Adding {adding} partitions to topic '{name}' failed and was rolled back: {exception.Message}");
            }

            topic.Grow(metadata, added);
            return new AdminResult(ErrorCode.None);
        }
    }

    /// <summary>
    /// Sets (non-null value) or removes (null value) config overrides of a topic; partitions apply them at once. With
    /// <paramref name="validateOnly"/>, only checks the changes.
    /// </summary>
    public AdminResult AlterConfig(string name, IEnumerable<KeyValuePair<string, string?>> changes, bool validateOnly = false)
    {
        lock (_adminLock)
        {
            ObjectDisposedException.ThrowIf(_closed, typeof(HeraldBroker));
            if (!_topics.TryGetValue(name, out var topic))
            {
                return new AdminResult(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.");
            }

            var config = topic.Config.With(changes, out var error);
            if (config is null)
            {
                return new AdminResult(ErrorCode.InvalidConfig, error);
            }

            if (validateOnly)
            {
                return new AdminResult(ErrorCode.None);
            }

            var metadata = topic.Metadata with { Configs = new Dictionary<string, string>(config.Overrides) };
            if (TrySaveCatalog(name, metadata) is { } failed)
            {
                return failed;
            }

            topic.Reconfigure(metadata, config, config.Storage);
            return new AdminResult(ErrorCode.None);
        }
    }

    /// <summary>Partitions held across all topics.</summary>
    public int PartitionCount
    {
        get
        {
            var total = 0;
            foreach (var topic in Volatile.Read(ref _topics).Values)
            {
                total += topic.Partitions.Count;
            }

            return total;
        }
    }

    /// <summary>Every topic, by name.</summary>
    public IReadOnlyList<TopicDescription> List() =>
        [.. Volatile.Read(ref _topics).Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => t.Describe())];

    /// <summary>Whether a topic of this name exists.</summary>
    public bool Exists(string name) => Volatile.Read(ref _topics).ContainsKey(name);

    /// <summary>The topic with this id (Kafka's topic id, new for each creation of a name), or null.</summary>
    public TopicDescription? Describe(Guid id) => FindTopic(id)?.Describe();

    /// <summary>The name of the topic with this id, or null; allocates nothing, for fetches that name topics by id.</summary>
    public string? NameOf(Guid id) => FindTopic(id)?.Name;

    private Topic? FindTopic(Guid id)
    {
        foreach (var topic in Volatile.Read(ref _topics).Values)
        {
            if (topic.Metadata.Id == id)
            {
                return topic;
            }
        }

        return null;
    }

    /// <summary>One topic, or null when it does not exist.</summary>
    public TopicDescription? Describe(string name) =>
        Volatile.Read(ref _topics).TryGetValue(name, out var topic) ? topic.Describe() : null;

    public Topic? Named(string name) => Volatile.Read(ref _topics).GetValueOrDefault(name);

    public (Topic Topic, Partition Partition)? Find(string topic, int partition)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed), typeof(HeraldBroker));
        if (!Volatile.Read(ref _topics).TryGetValue(topic, out var found))
        {
            return null;
        }

        var partitions = found.Partitions;
        return (uint)partition < (uint)partitions.Count ? (found, partitions[partition]) : null;
    }

    public void Load(CancellationToken cancellationToken)
    {
        var topics = new Dictionary<string, Topic>(StringComparer.Ordinal);
        _topics = topics;
        foreach (var metadata in _catalog.Load())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var config = TopicConfig.FromOverrides(metadata.Configs, _options.Log, out var error)
                ?? throw new InvalidDataException($"Topic '{metadata.Name}' has an invalid stored config: {error}");
            topics[metadata.Name] = OpenTopic(metadata, config);
        }

        RemoveOrphanPartitions(topics);
    }

    // A partition directory no topic owns was left by a crash during a topic deletion or a create, or by a create whose
    // rollback failed; its topic is gone for good. One that an interrupted open left empty counts too.
    private void RemoveOrphanPartitions(Dictionary<string, Topic> topics)
    {
        foreach (var name in _fileSystem.ListDirectories(_directory))
        {
            var dash = name.LastIndexOf('-');
            var path = Path.Combine(_directory, name);
            if (dash <= 0 || !int.TryParse(name.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || TopicName.Validate(name[..dash]) is not null
                || !(_fileSystem.FileExists(Path.Combine(path, "herald-log.format")) || (_fileSystem.ListFiles(path).Count == 0 && _fileSystem.ListDirectories(path).Count == 0)))
            {
                continue;
            }

            var owned = topics.TryGetValue(name[..dash], out var topic) && partition < topic.Partitions.Count;
            if (!owned)
            {
                _fileSystem.DeleteDirectory(path);
                Log.OrphanRemoved(_logger, path);
            }
        }
    }

    private Topic OpenTopic(TopicMetadata metadata, TopicConfig config) =>
        new(metadata, config, OpenPartitions(metadata, config, from: 0));

    private List<Partition> OpenPartitions(TopicMetadata metadata, TopicConfig config, int from)
    {
        var logOptions = config.Storage;
        var logger = _loggers.CreateLogger<PartitionLog>();
        var opened = new List<Partition>();
        try
        {
            for (var p = from; p < metadata.Partitions; p++)
            {
                opened.Add(new Partition(PartitionLog.Open(PartitionDirectory(metadata.Name, p), logOptions, _fileSystem, logger, _time)));
            }

            return opened;
        }
        catch
        {
            foreach (var partition in opened)
            {
                partition.Log.Dispose();
            }

            throw;
        }
    }

    /// <summary>Records the catalog with topic <paramref name="name"/> replaced by <paramref name="replacement"/>, or gone when null.</summary>
    private void SaveCatalog(string name, TopicMetadata? replacement)
    {
        var others = _topics.Values.Where(t => t.Name != name).Select(t => t.Metadata);
        _catalog.Save(replacement is null ? others : others.Append(replacement));
    }

    private AdminResult? PartitionLimitReached(int adding)
    {
        var held = PartitionCount;
        return held + (long)adding > _options.MaxPartitions
            ? new AdminResult(ErrorCode.PolicyViolation, $"The broker holds {held} partitions; {adding} more would pass its limit of {_options.MaxPartitions}.")
            : null;
    }

    /// <summary>
    /// Removes directories of partitions about to be created that an earlier topic of the name left behind (a delete
    /// that could not finish), so its records never reappear under the new topic. Throws when one cannot be removed.
    /// </summary>
    private void RemoveLeftovers(string topic, int from, int to)
    {
        for (var p = from; p < to; p++)
        {
            _fileSystem.DeleteDirectory(PartitionDirectory(topic, p));
        }
    }

    /// <summary>Records the catalog; null when done, otherwise the storage error, with nothing changed.</summary>
    private AdminResult? TrySaveCatalog(string name, TopicMetadata? replacement)
    {
        try
        {
            SaveCatalog(name, replacement);
            return null;
        }
        catch (Exception exception) when (IsStorageFailure(exception))
        {
            Log.CatalogWriteFailed(_logger, exception, name);
            return new AdminResult(ErrorCode.KafkaStorageError, $"The topic catalog could not be written ({exception.GetType().Name}); nothing was changed.");
        }
    }

    public static bool IsStorageFailure(Exception exception) =>
        exception is IOException or UnauthorizedAccessException or CorruptLogException;

    private void DeletePartitionDirectories(string topic, int from, int to)
    {
        for (var p = from; p < to; p++)
        {
            try
            {
                _fileSystem.DeleteDirectory(PartitionDirectory(topic, p));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // What stays behind belongs to no topic, so the next start removes it.
                Log.PartitionDirectoryLeft(_logger, exception, PartitionDirectory(topic, p));
            }
        }
    }

    private string PartitionDirectory(string topic, int partition) =>
        Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{topic}-{partition}"));

    /// <summary>Every topic, as of now.</summary>
    public IEnumerable<Topic> All => Volatile.Read(ref _topics).Values;

    /// <summary>Refuses every change from now on; false when it was already closed.</summary>
    public bool MarkClosed()
    {
        lock (_adminLock)
        {
            if (_closed)
            {
                return false;
            }

            _closed = true;
            return true;
        }
    }

    /// <summary>Flushes and closes every partition.</summary>
    public void CloseTopics()
    {
        foreach (var topic in Volatile.Read(ref _topics).Values)
        {
            topic.Close();
        }
    }
}
