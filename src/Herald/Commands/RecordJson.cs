namespace Herald.Cli.Commands;

internal sealed record RecordJson(int Partition, long Offset, long Timestamp, string? Key, string? Value, Dictionary<string, string?> Headers);
