namespace Herald.Cli.Commands;

internal sealed record GroupJson(string Group, string State, LagJson[] Partitions, long TotalLag);
