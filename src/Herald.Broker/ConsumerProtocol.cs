using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Herald.Broker;

/// <summary>
/// Kafka's consumer protocol (protocol type "consumer"): a member's subscription (version, topics, user data) and the
/// assignment the leader hands it (version, per topic its partitions, user data). Read to show which partitions a
/// member owns; written by embedded group members, so tools see them as they see Kafka consumers.
/// </summary>
internal static class ConsumerProtocol
{
    /// <summary>A version-0 subscription to <paramref name="topics"/>, with no user data.</summary>
    public static byte[] WriteSubscription(IReadOnlyList<string> topics)
    {
        var writer = new ArrayBufferWriter<byte>();
        WriteInt16(writer, 0);
        WriteInt32(writer, topics.Count);
        foreach (var topic in topics)
        {
            WriteString(writer, topic);
        }

        WriteInt32(writer, -1); // null user data
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>A version-0 assignment of <paramref name="partitions"/>, grouped by topic, with no user data.</summary>
    public static byte[] WriteAssignment(IEnumerable<TopicPartition> partitions)
    {
        var byTopic = partitions.GroupBy(p => p.Topic, StringComparer.Ordinal).ToList();
        var writer = new ArrayBufferWriter<byte>();
        WriteInt16(writer, 0);
        WriteInt32(writer, byTopic.Count);
        foreach (var topic in byTopic)
        {
            WriteString(writer, topic.Key);
            WriteInt32(writer, topic.Count());
            foreach (var partition in topic)
            {
                WriteInt32(writer, partition.Partition);
            }
        }

        WriteInt32(writer, -1);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteInt16(ArrayBufferWriter<byte> writer, short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(writer.GetSpan(2), value);
        writer.Advance(2);
    }

    private static void WriteInt32(ArrayBufferWriter<byte> writer, int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(writer.GetSpan(4), value);
        writer.Advance(4);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt16(writer, checked((short)bytes.Length));
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
    }

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
