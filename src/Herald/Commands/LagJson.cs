namespace Herald.Cli.Commands;

internal sealed record LagJson(string Topic, int Partition, long Committed, long End, long Lag);
