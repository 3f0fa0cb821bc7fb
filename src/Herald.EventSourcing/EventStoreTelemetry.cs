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
    internal static readonly Counter<long> Appended = Meter.CreateCounter<long>("herald.eventstore.appended", "{event}", "Events appended (retried duplicates not counted).");
    internal static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("herald.eventstore.conflicts", "{append}", "Appends refused because the stream was elsewhere than expected.");

    /// <summary>Times one append and counts what it stored, tagged with the store's kind.</summary>
    internal static async Task<AppendResult> MeasureAsync(string store, Func<Task<(AppendResult Result, int Written)>> append)
    {
        var started = Stopwatch.GetTimestamp();
        var tags = new TagList { { "herald.eventstore.kind", store } };
        try
        {
            var (result, written) = await append().ConfigureAwait(false);
            Appended.Add(written, tags);
            return result;
        }
        catch (WrongExpectedVersionException)
        {
            Conflicts.Add(1, tags);
            throw;
        }
        finally
        {
            AppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        }
    }
}
