using System.ComponentModel;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary>
/// <c>GET /api/v1/trace</c>: what happened to one request, order or saga. Finds every record carrying a trace id (in its
/// <c>traceparent</c>) or a correlation id, across all topics (or those named) within a time window, in time order.
/// </summary>
internal static class TraceApi
{
    private const int MaxResults = 1000;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/trace", LookUpAsync)
            .WithTags("Trace lookup")
            .WithSummary("Finds every record of a trace id or correlation id across the topics in a time window (the last hour by default), oldest first; says when the search was cut short.")
            .ProducesProblem(StatusCodes.Status400BadRequest);

    private static async Task<Ok<TraceJson>> LookUpAsync(
        BrokerService broker,
        HttpOptions http,
        TimeProvider time,
        [Description("The W3C trace id: 32 hex digits.")] string? traceId = null,
        [Description("The correlation id (CloudEvents' correlationid extension).")] string? correlationId = null,
        [Description("The window's start; an hour before until when left out.")] DateTimeOffset? since = null,
        [Description("The window's end; now when left out.")] DateTimeOffset? until = null,
        [Description("Only these topics, comma-separated; all when left out.")] string? topics = null,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(traceId) == string.IsNullOrEmpty(correlationId))
        {
            throw ApiException.BadRequest("Give a traceId or a correlationId (one of them).");
        }

        if (traceId is not null && (traceId.Length != 32 || !traceId.All(char.IsAsciiHexDigit)))
        {
            throw ApiException.BadRequest("traceId is the 32 hex digits of a W3C trace id.");
        }

        var end = until ?? time.GetUtcNow().AddSeconds(1);
        var start = since ?? end - DefaultWindow;
        if (start >= end)
        {
            throw ApiException.BadRequest("since must come before until.");
        }

        var b = broker.Broker;
        var names = topics is null
            ? b.ListTopics().Select(t => t.Name).Order(StringComparer.Ordinal).ToList()
            : topics.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        var scope = names.Select(name => (Name: name, Partitions: b.DescribePartitions(name) ?? throw ApiException.UnknownTopic(name))).ToList();
        var filter = RecordFilter.Parse(null, null, null, null, start, end) with { TraceId = traceId, CorrelationId = correlationId };
        var scan = new RecordScan(b, filter, MaxResults, http.MaxScanBytes);
        foreach (var (name, partitions) in scope)
        {
            foreach (var p in partitions)
            {
                if (scan.Cut || scan.Full)
                {
                    break;
                }

                // From the first record in the window to the first after it (timestamps may be out of order within).
                var from = Positions.AtOrAfter(b, name, p, start);
                await scan.ScanAsync(name, p.Partition, from, Positions.AtOrAfter(b, name, p, end), cancellationToken).ConfigureAwait(false);
            }
        }

        var records = scan.Found.OrderBy(r => r.Timestamp).ThenBy(r => r.Topic, StringComparer.Ordinal).ThenBy(r => r.Partition).ThenBy(r => r.Offset).ToList();
        return TypedResults.Ok(new TraceJson(records, start, end, names.Count, scan.ScannedRecords, scan.ScannedBytes, scan.Cut || scan.Full));
    }
}
