using System.Buffers.Binary;
using System.Text;

namespace Herald.Broker;

/// <summary>
/// Reads the assignment a Kafka consumer group leader hands each member (protocol type "consumer"): a version, then
/// per topic its partitions, then user data. Used to show which partitions a member owns.
/// </summary>
public static class ConsumerProtocol
{
    /// <summary>The partitions in a consumer-protocol assignment, or null when the bytes are not one.</summary>
    public static IReadOnlyList<TopicPartition>? ReadAssignment(ReadOnlySpan<byte> assignment)
    {
        var partitions = new List<TopicPartition>();
        if (assignment.Length < 6)
        {
            return assignment.IsEmpty ? partitions : null;
        }

        var reader = assignment[2..]; // version
        if (!TryInt32(ref reader, out var topics) || topics < 0)
        {
            return null;
        }

        for (var t = 0; t < topics; t++)
        {
            if (reader.Length < 2)
            {
                return null;
            }

            var nameLength = BinaryPrimitives.ReadInt16BigEndian(reader);
            reader = reader[2..];
            if (nameLength < 0 || nameLength > reader.Length)
            {
                return null;
            }

            var topic = Encoding.UTF8.GetString(reader[..nameLength]);
            reader = reader[nameLength..];
            if (!TryInt32(ref reader, out var count) || count < 0 || count > reader.Length / 4)
            {
                return null;
            }

            for (var p = 0; p < count; p++)
            {
                TryInt32(ref reader, out var partition);
                partitions.Add(new TopicPartition(topic, partition));
            }
        }

        return partitions;
    }

    /// <summary>The topics in a consumer-protocol subscription (a member's JoinGroup metadata), or null when the bytes are not one.</summary>
    public static IReadOnlyList<string>? ReadSubscription(ReadOnlySpan<byte> subscription)
    {
        if (subscription.Length < 6)
        {
            return null;
        }

        var reader = subscription[2..]; // version
        if (!TryInt32(ref reader, out var count) || count < 0 || count > reader.Length / 2)
        {
            return null;
        }

        var topics = new List<string>(count);
        for (var t = 0; t < count; t++)
        {
            if (!TryString(ref reader, out var topic))
            {
                return null;
            }

            topics.Add(topic);
        }

        return topics;
    }

    private static bool TryString(ref ReadOnlySpan<byte> reader, out string value)
    {
        value = string.Empty;
        if (reader.Length < 2)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadInt16BigEndian(reader);
        reader = reader[2..];
        if (length < 0 || length > reader.Length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(reader[..length]);
        reader = reader[length..];
        return true;
    }

    private static bool TryInt32(ref ReadOnlySpan<byte> reader, out int value)
    {
        if (reader.Length < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadInt32BigEndian(reader);
        reader = reader[4..];
        return true;
    }
}
