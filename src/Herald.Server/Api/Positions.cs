using Herald.Broker;

namespace Herald.Server.Api;

/// <summary>Where in a partition an API request starts or stops.</summary>
internal static class Positions
{
    /// <summary>The first offset whose record is at or after <paramref name="time"/>, or the partition's end when none is.</summary>
    public static long AtOrAfter(HeraldBroker broker, string topic, PartitionDescription partition, DateTimeOffset time)
    {
        var found = broker.ListOffset(topic, partition.Partition, OffsetQuery.AtOrAfter(Math.Max(0, time.ToUnixTimeMilliseconds())));
        return found.Offset < 0 ? partition.EndOffset : found.Offset;
    }

    /// <summary><paramref name="offset"/> kept within what the partition holds.</summary>
    public static long Within(PartitionDescription partition, long offset) => Math.Clamp(offset, partition.StartOffset, partition.EndOffset);
}
