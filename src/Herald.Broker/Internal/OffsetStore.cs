using System.Text;
using System.Text.Json;
using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>
/// Committed offsets of every consumer group, durable before a commit returns: one small file per group, replaced
/// atomically, under <c>data/__consumer_offsets/</c>. Thread-safe.
/// </summary>
internal sealed class OffsetStore
{
    private const int Version = 1;
    private const int MaxFileBytes = int.MaxValue;
    private readonly ILogFileSystem _fileSystem;
    private readonly string _directory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<TopicPartition, CommittedOffset>> _groups = new(StringComparer.Ordinal);

    public OffsetStore(ILogFileSystem fileSystem, string dataDirectory)
    {
        _fileSystem = fileSystem;
        _directory = Path.Combine(dataDirectory, "__consumer_offsets");
        fileSystem.CreateDirectory(_directory);
        fileSystem.SyncDirectory(dataDirectory);
        foreach (var name in fileSystem.ListFiles(_directory))
        {
            if (name.EndsWith(".json", StringComparison.Ordinal))
            {
                Load(Path.Combine(_directory, name));
            }
        }
    }

    public IReadOnlyList<string> Groups()
    {
        lock (_gate)
        {
            return [.. _groups.Keys.Order(StringComparer.Ordinal)];
        }
    }

    public IReadOnlyList<CommittedOffset> Committed(string group)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(group, out var offsets)
                ? [.. offsets.Values.OrderBy(o => o.Partition.Topic, StringComparer.Ordinal).ThenBy(o => o.Partition.Partition)]
                : [];
        }
    }

    public void Commit(string group, IReadOnlyList<CommittedOffset> offsets)
    {
        lock (_gate)
        {
            var merged = _groups.TryGetValue(group, out var existing)
                ? new Dictionary<TopicPartition, CommittedOffset>(existing)
                : [];
            foreach (var offset in offsets)
            {
                merged[offset.Partition] = offset;
            }

            Save(group, merged);
            _groups[group] = merged;
        }
    }

    public bool Delete(string group)
    {
        lock (_gate)
        {
            if (!_groups.Remove(group))
            {
                return false;
            }

            _fileSystem.DeleteFile(PathOf(group));
            _fileSystem.SyncDirectory(_directory);
            return true;
        }
    }

    /// <summary>Forgets a group's commits for <paramref name="partitions"/> (Kafka's OffsetDelete).</summary>
    public void Remove(string group, IReadOnlyCollection<TopicPartition> partitions)
    {
        lock (_gate)
        {
            if (_groups.TryGetValue(group, out var offsets) && offsets.Keys.Any(partitions.Contains))
            {
                var kept = offsets.Where(o => !partitions.Contains(o.Key)).ToDictionary();
                Save(group, kept);
                _groups[group] = kept;
            }
        }
    }

    /// <summary>Forgets every commit for a deleted topic, as Kafka does.</summary>
    public void RemoveTopic(string topic)
    {
        lock (_gate)
        {
            foreach (var (group, offsets) in _groups.ToList())
            {
                if (offsets.Keys.Any(p => p.Topic == topic))
                {
                    var kept = offsets.Where(o => o.Key.Topic != topic).ToDictionary();
                    Save(group, kept);
                    _groups[group] = kept;
                }
            }
        }
    }

    private void Save(string group, Dictionary<TopicPartition, CommittedOffset> offsets)
    {
        var file = new GroupOffsetsFile(Version, group, [.. offsets.Values.Select(o => new OffsetEntry(o.Partition.Topic, o.Partition.Partition, o.Offset, o.Metadata))]);
        AtomicFile.Write(_fileSystem, _directory, Path.GetFileName(PathOf(group)), JsonSerializer.SerializeToUtf8Bytes(file, OffsetStoreJson.Default.GroupOffsetsFile));
    }

    private void Load(string path)
    {
        var bytes = AtomicFile.Read(_fileSystem, path, MaxFileBytes) ?? throw new InvalidDataException($"'{path}' is larger than {MaxFileBytes} bytes.");
        GroupOffsetsFile? file;
        try
        {
            file = JsonSerializer.Deserialize(bytes, OffsetStoreJson.Default.GroupOffsetsFile);
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"'{path}' is not a valid offsets file: {exception.Message}", exception);
        }

        if (file is null || file.Version != Version)
        {
            throw new InvalidDataException($"'{path}' has version {file?.Version}; this Herald reads version {Version}.");
        }

        _groups[file.Group] = file.Offsets.ToDictionary(
            o => new TopicPartition(o.Topic, o.Partition),
            o => new CommittedOffset(new TopicPartition(o.Topic, o.Partition), o.Offset, o.Metadata));
    }

    // Group ids are arbitrary strings; hex keeps every one a safe, distinct file name, and a hash keeps long ones short.
    private string PathOf(string group)
    {
        var bytes = Encoding.UTF8.GetBytes(group);
        var name = bytes.Length <= 100 ? Convert.ToHexString(bytes) : "sha256-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes));
        return Path.Combine(_directory, name + ".json");
    }
}
