using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.Client;

/// <summary>
/// The SDK's traces and metrics, named <c>Herald.Client</c>, following OpenTelemetry's messaging conventions. Add them
/// with <c>AddSource(HeraldTelemetry.Name)</c> and <c>AddMeter(HeraldTelemetry.Name)</c>.
/// </summary>
public static class HeraldTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "Herald.Client";

    internal static readonly ActivitySource Source = new(Name, typeof(HeraldTelemetry).Assembly.GetName().Version?.ToString());
    internal static readonly Meter Meter = new(Name, typeof(HeraldTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Counter<long> Sent = Meter.CreateCounter<long>("messaging.client.sent.messages", "{message}", "Events published.");
    internal static readonly Counter<long> Consumed = Meter.CreateCounter<long>("messaging.client.consumed.messages", "{message}", "Events delivered to this consumer.");
    internal static readonly Histogram<double> ProcessDuration = Meter.CreateHistogram<double>("messaging.process.duration", "s", "How long handling an event took, retries included.");
    internal static readonly Counter<long> Retries = Meter.CreateCounter<long>("herald.client.retries", "{retry}", "Handler attempts that failed and were retried.");
    internal static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("herald.client.dead_lettered", "{message}", "Events moved to a dead-letter topic.");
    internal static readonly Counter<long> Skipped = Meter.CreateCounter<long>("herald.client.skipped", "{message}", "Events not handled: already processed, discarded, or of a type this consumer does not handle.");

    /// <summary>Why <c>herald.client.skipped</c> counted an event: <c>duplicate</c>, <c>unhandled_type</c> or <c>discarded</c>.</summary>
    public const string SkipReason = "herald.skip.reason";

    /// <summary>Counts one skipped event under its reason (<see cref="SkipReason"/>).</summary>
    internal static void CountSkipped(string system, string topic, string group, int partition, string reason)
    {
        var tags = Tags(system, topic, group, partition);
        tags.Add(SkipReason, reason);
        Skipped.Add(1, tags);
    }

    internal static TagList Tags(string system, string topic, string? group = null, int? partition = null)
    {
        var tags = new TagList
        {
            { "messaging.system", system },
            { "messaging.destination.name", topic },
        };
        if (group is not null)
        {
            tags.Add("messaging.consumer.group.name", group);
        }

        if (partition is { } p)
        {
            tags.Add("messaging.destination.partition.id", p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return tags;
    }
}
