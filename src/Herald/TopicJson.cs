namespace Herald.Cli;

internal sealed record TopicJson(string Name, Guid Id, int Partitions, Dictionary<string, string> Config, PartitionJson[]? PartitionOffsets);
