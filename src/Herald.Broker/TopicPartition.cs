namespace Herald.Broker;

/// <summary>A partition of a topic.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}-{Partition}";
}
