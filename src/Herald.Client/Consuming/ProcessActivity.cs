using System.Diagnostics;
using System.Globalization;
using Herald.Client.Transport;

namespace Herald.Client;

/// <summary>The "process" span of one event, a child of the producer's span (OpenTelemetry messaging conventions).</summary>
internal static class ProcessActivity
{
    public static Activity? Start(IncomingRecord record, EventMetadata metadata, string system, string group)
    {
        ActivityContext.TryParse(metadata.TraceParent, metadata.TraceState, out var producer);
        var activity = HeraldTelemetry.Source.StartActivity(
            ActivityKind.Consumer,
            producer,
            links: producer == default ? null : [new ActivityLink(producer)],
            name: $"process {record.Topic}");
        if (activity is not null)
        {
            activity.SetTag("messaging.system", system);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.operation.name", "process");
            activity.SetTag("messaging.destination.name", record.Topic);
            activity.SetTag("messaging.destination.partition.id", record.Partition.ToString(CultureInfo.InvariantCulture));
            activity.SetTag("messaging.consumer.group.name", group);
            activity.SetTag("messaging.message.id", metadata.Id.ToString());
            activity.SetTag("messaging.kafka.offset", record.Offset);
        }

        return activity;
    }
}
