namespace Herald.Broker;

/// <summary>A topic as the broker describes it.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="Id">The topic id, new for every creation of a name.</param>
/// <param name="Partitions">The partition count.</param>
/// <param name="Config">The effective configuration.</param>
public sealed record TopicDescription(string Name, Guid Id, int Partitions, TopicConfig Config);
