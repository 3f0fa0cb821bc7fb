namespace Herald.Cli;

internal sealed record PartitionJson(int Partition, long StartOffset, long EndOffset);
