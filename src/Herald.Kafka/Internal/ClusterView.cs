using Herald.Broker;

namespace Herald.Kafka.Internal;

/// <summary>The single-node cluster as clients see it: this broker's id and address, and topic auto-creation.</summary>
internal sealed class ClusterView(HeraldBroker broker, KafkaServerOptions options, string advertisedHost, int advertisedPort)
{
    public HeraldBroker Broker { get; } = broker;

    public KafkaServerOptions Options { get; } = options;

    public int NodeId => Options.NodeId;

    public string Host { get; } = advertisedHost;

    public int Port { get; } = advertisedPort;

    /// <summary>Whether the topic exists, creating it when it is unknown and auto-creation is on; no description is built.</summary>
    public ErrorCode EnsureTopic(string name, bool allowCreate) =>
        Broker.TopicExists(name) ? ErrorCode.None : FindOrCreate(name, allowCreate).Error;

    /// <summary>The topic, created first when it is unknown and auto-creation is on and allowed by the request.</summary>
    public (ErrorCode Error, TopicDescription? Topic) FindOrCreate(string name, bool allowCreate)
    {
        if (Broker.DescribeTopic(name) is { } existing)
        {
            return (ErrorCode.None, existing);
        }

        if (TopicName.Validate(name) is not null)
        {
            return (ErrorCode.InvalidTopicException, null);
        }

        if (!allowCreate || !Options.AutoCreateTopics)
        {
            return (ErrorCode.UnknownTopicOrPartition, null);
        }

        var created = Broker.CreateTopic(name, Options.AutoCreatePartitions);
        return created.Succeeded || created.Error == ErrorCode.TopicAlreadyExists
            ? (Broker.DescribeTopic(name) is { } topic ? (ErrorCode.None, topic) : (ErrorCode.UnknownTopicOrPartition, null))
            : (created.Error, null);
    }

    /// <summary>The topic with this id, or null.</summary>
    public TopicDescription? FindById(Guid id) => id == Guid.Empty ? null : Broker.DescribeTopic(id);

    /// <summary>The name of the topic with this id, or null, without building its description.</summary>
    public string? NameById(Guid id) => id == Guid.Empty ? null : Broker.TopicNameOf(id);
}
