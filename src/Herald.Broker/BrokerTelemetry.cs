using System.Diagnostics.Metrics;

namespace Herald.Broker;

/// <summary>
/// The broker's metrics, under the meter <c>Herald.Broker</c>: messages and bytes in and out per topic, each group's lag
/// per partition, and the records waiting in dead-letter topics.
/// </summary>
public static class BrokerTelemetry
{
    /// <summary>The Meter name.</summary>
    public const string Name = "Herald.Broker";

    private const string Topic = "messaging.destination.name";
    private const string Group = "messaging.consumer.group.name";
    private const string Partition = "messaging.destination.partition.id";
    private const string DeadLetterSuffix = ".dlq";

    internal static readonly Meter Meter = new(Name, typeof(BrokerTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> MessagesIn = Meter.CreateCounter<long>("herald.broker.messages.in", "{message}", "Records appended, per topic.");
    private static readonly Counter<long> BytesIn = Meter.CreateCounter<long>("herald.broker.bytes.in", "By", "Bytes of record batches appended, per topic.");
    private static readonly Counter<long> MessagesOut = Meter.CreateCounter<long>("herald.broker.messages.out", "{message}", "Offsets handed to fetches (records read), per topic.");
    private static readonly Counter<long> BytesOut = Meter.CreateCounter<long>("herald.broker.bytes.out", "By", "Bytes of record batches handed to fetches, per topic.");
    private static readonly List<HeraldBroker> Brokers = [];

    static BrokerTelemetry()
    {
        Meter.CreateObservableGauge("herald.broker.group.lag", MeasureLag, "{message}", "Records between a group's committed offset and the partition's end, per group and partition.");
        Meter.CreateObservableGauge(
            "herald.broker.dead_letters",
            MeasureDeadLetters,
            "{message}",
            "Records in a dead-letter topic (TOPIC.GROUP.dlq) not yet redriven or purged, per dead-letter topic and group.");
    }

    internal static void Track(HeraldBroker broker)
    {
        lock (Brokers)
        {
            Brokers.Add(broker);
        }
    }

    internal static void Untrack(HeraldBroker broker)
    {
        lock (Brokers)
        {
            Brokers.Remove(broker);
        }
    }

    internal static void Appended(string topic, long records, int bytes)
    {
        if (MessagesIn.Enabled || BytesIn.Enabled)
        {
            Count(MessagesIn, BytesIn, topic, records, bytes);
        }
    }

    internal static void Fetched(string topic, long records, int bytes)
    {
        if (bytes > 0 && (MessagesOut.Enabled || BytesOut.Enabled))
        {
            Count(MessagesOut, BytesOut, topic, records, bytes);
        }
    }

    // Apart from the checks, so the tag is built only when someone listens.
    private static void Count(Counter<long> messages, Counter<long> bytes, string topic, long records, int size)
    {
        var tag = new KeyValuePair<string, object?>(Topic, topic);
        messages.Add(records, tag);
        bytes.Add(size, tag);
    }

    private static HeraldBroker[] Live()
    {
        lock (Brokers)
        {
            return [.. Brokers];
        }
    }

    private static IEnumerable<Measurement<long>> MeasureLag()
    {
        foreach (var broker in Live())
        {
            foreach (var id in broker.ListGroups())
            {
                if (broker.DescribeGroup(id) is not { } group)
                {
                    continue;
                }

                foreach (var lag in group.Lag)
                {
                    yield return new Measurement<long>(
                        lag.Lag,
                        new KeyValuePair<string, object?>(Group, id),
                        new KeyValuePair<string, object?>(Topic, lag.Partition.Topic),
                        new KeyValuePair<string, object?>(Partition, lag.Partition.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                }
            }
        }
    }

    // Each redrive or purge appends one record to TOPIC.GROUP.dlq.resolved, so the difference is what still waits.
    private static IEnumerable<Measurement<long>> MeasureDeadLetters()
    {
        foreach (var broker in Live())
        {
            foreach (var topic in broker.ListTopics())
            {
                if (!topic.Name.EndsWith(DeadLetterSuffix, StringComparison.Ordinal) || broker.DescribePartitions(topic.Name) is not { } letters)
                {
                    continue;
                }

                var resolved = broker.DescribePartitions(topic.Name + ".resolved")?.Sum(p => p.Records) ?? 0;
                var stem = topic.Name[..^DeadLetterSuffix.Length];
                var group = stem.LastIndexOf('.') is var dot and > 0 ? stem[(dot + 1)..] : stem;
                yield return new Measurement<long>(
                    Math.Max(0, letters.Sum(p => p.Records) - resolved),
                    new KeyValuePair<string, object?>(Topic, topic.Name),
                    new KeyValuePair<string, object?>(Group, group));
            }
        }
    }
}
