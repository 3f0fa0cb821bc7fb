using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Herald.EventSourcing;

/// <summary>
/// The event store's traces and metrics, named <c>Herald.EventSourcing</c>. Add them with
/// <c>AddSource(EventStoreTelemetry.Name)</c> and <c>AddMeter(EventStoreTelemetry.Name)</c>.
/// </summary>
public static class EventStoreTelemetry
{
    /// <summary>The ActivitySource and Meter name.</summary>
    public const string Name = "Herald.EventSourcing";

    internal static readonly ActivitySource Source = new(Name, typeof(EventStoreTelemetry).Assembly.GetName().Version?.ToString());
    internal static readonly Meter Meter = new(Name, typeof(EventStoreTelemetry).Assembly.GetName().Version?.ToString());

    internal static readonly Histogram<double> AppendDuration = Meter.CreateHistogram<double>("herald.eventstore.append.duration", "s", "How long an append took until it was durable.");
    internal static readonly Counter<long> AppendedEvents = Meter.CreateCounter<long>("herald.eventstore.appended", "{event}", "Events appended (retried duplicates not counted).");
    internal static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("herald.eventstore.conflicts", "{append}", "Appends refused because the stream was elsewhere than expected.");

    internal static readonly Counter<long> ProjectedEvents = Meter.CreateCounter<long>("herald.projection.projected", "{event}", "Events applied by projections.");

    private static readonly List<ProjectionManager> Managers = [];
    private static readonly List<List<RelayRunner>> Relays = [];

    static EventStoreTelemetry()
    {
        Meter.CreateObservableGauge("herald.projection.lag", () => Measure(s => s.LagEvents), "{event}", "Events in $all after a projection's checkpoint.");
        Meter.CreateObservableGauge("herald.projection.lag.time", () => Measure(s => s.LagSeconds), "s", "How long ago the oldest event a projection has not projected yet was appended.");
        Meter.CreateObservableGauge("herald.relay.lag", MeasureRelays, "{event}", "Events in $all after a relay's checkpoint, not yet published.");
    }

    internal static void Track(List<RelayRunner> relays)
    {
        lock (Relays)
        {
            Relays.Add(relays);
        }
    }

    internal static void Untrack(List<RelayRunner> relays)
    {
        lock (Relays)
        {
            Relays.Remove(relays);
        }
    }

    private static IEnumerable<Measurement<long>> MeasureRelays()
    {
        lock (Relays)
        {
            return [.. Relays.SelectMany(r => r).Select(r => new Measurement<long>(r.LagEvents, new KeyValuePair<string, object?>("herald.relay.name", r.Name)))];
        }
    }

    internal static void Track(ProjectionManager manager)
    {
        lock (Managers)
        {
            Managers.Add(manager);
        }
    }

    internal static void Untrack(ProjectionManager manager)
    {
        lock (Managers)
        {
            Managers.Remove(manager);
        }
    }

    internal static void Projected(string projection, int count) => ProjectedEvents.Add(count, new KeyValuePair<string, object?>("herald.projection.name", projection));

    private static IEnumerable<Measurement<T>> Measure<T>(Func<ProjectionStatus, T> value)
        where T : struct
    {
        lock (Managers)
        {
            return [.. Managers.SelectMany(m => m.All).Select(s => new Measurement<T>(value(s), new KeyValuePair<string, object?>("herald.projection.name", s.Name)))];
        }
    }

    /// <summary>Records one append that stored <paramref name="written"/> events (0 for a recognised retry).</summary>
    internal static void Appended(string store, int written, long startedTimestamp)
    {
        if (!AppendedEvents.Enabled && !AppendDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { "herald.eventstore.kind", store } };
        AppendedEvents.Add(written, tags);
        AppendDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }

    /// <summary>Records one append refused for its expected version.</summary>
    internal static void Refused(string store, long startedTimestamp)
    {
        var tags = new TagList { { "herald.eventstore.kind", store } };
        Conflicts.Add(1, tags);
        AppendDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, tags);
    }
}
