namespace Herald.Server.Api;

/// <summary>The broker at a glance: counts, whether an event store is shown, and the last ten minutes of throughput across all topics.</summary>
public sealed record StatsJson(int Topics, int Partitions, int Groups, bool EventStore, bool OpenToAnyone, IReadOnlyList<RateSampleJson> History);

/// <summary>Messages and bytes per second across all topics, over one sampling interval ending at <c>at</c>.</summary>
public sealed record RateSampleJson(DateTimeOffset At, double RecordsPerSecond, double BytesPerSecond);
