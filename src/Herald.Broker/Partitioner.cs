using System.Buffers.Binary;

namespace Herald.Broker;

/// <summary>Kafka's default partitioning of keyed records, bit for bit the Java client's: <c>toPositive(murmur2(key)) % partitions</c>.</summary>
internal static class Partitioner
{
    /// <summary>The partition a keyed record goes to, the same as in Kafka for the same key and partition count.</summary>
    public static int PartitionForKey(ReadOnlySpan<byte> key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        return (Murmur2(key) & 0x7FFFFFFF) % partitions;
    }

    /// <summary>The 32-bit murmur2 hash with Kafka's seed, as <c>org.apache.kafka.common.utils.Utils.murmur2</c>.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint Seed = 0x9747b28c;
        const uint M = 0x5bd1e995;
        const int R = 24;

        var length = data.Length;
        var h = Seed ^ (uint)length;
        var whole = length & ~3;
        for (var i = 0; i < whole; i += 4)
        {
            var k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        var tail = data[whole..];
        switch (tail.Length)
        {
            case 3:
                h ^= (uint)tail[2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)tail[1] << 8;
                goto case 1;
            case 1:
                h ^= tail[0];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }
}
