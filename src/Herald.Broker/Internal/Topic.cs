using Herald.Storage;

namespace Herald.Broker.Internal;

/// <summary>A topic: its metadata, config and partitions. Partitions only ever grow; readers see a consistent list.</summary>
internal sealed class Topic(TopicMetadata metadata, TopicConfig config, List<Partition> partitions)
{
    private TopicMetadata _metadata = metadata;
    private TopicConfig _config = config;
    private IReadOnlyList<Partition> _partitions = partitions;

    public string Name => _metadata.Name;

    public TopicMetadata Metadata => Volatile.Read(ref _metadata);

    public TopicConfig Config => Volatile.Read(ref _config);

    public IReadOnlyList<Partition> Partitions => Volatile.Read(ref _partitions);

    public TopicDescription Describe() => new(Name, Metadata.Id, Partitions.Count, Config);

    public void Grow(TopicMetadata metadata, List<Partition> added)
    {
        Volatile.Write(ref _partitions, [.. Partitions, .. added]);
        Volatile.Write(ref _metadata, metadata);
    }

    public void Reconfigure(TopicMetadata metadata, TopicConfig config, LogOptions logOptions)
    {
        foreach (var partition in Partitions)
        {
            partition.Log.Reconfigure(logOptions);
        }

        Volatile.Write(ref _config, config);
        Volatile.Write(ref _metadata, metadata);
    }

    public void Close()
    {
        foreach (var partition in Partitions)
        {
            partition.Log.Dispose();
        }
    }
}
