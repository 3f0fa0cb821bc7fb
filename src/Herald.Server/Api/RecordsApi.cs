using System.ComponentModel;
using Herald.Broker;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary><c>GET /api/v1/topics/{topic}/records</c>: browse a topic by partition and offset or by time, with filters, a page at a time.</summary>
internal static class RecordsApi
{
    private const int DefaultLimit = 50;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/topics/{topic}/records", BrowseAsync)
            .WithTags("Browse")
            .WithSummary("Browses records oldest first from a position (offset, time, or the last N), keeping those the filters match; reads a bounded amount per request and returns a cursor to go on.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<Ok<BrowseJson>> BrowseAsync(
        BrokerService broker,
        HttpOptions http,
        [Description("The topic.")] string topic,
        [Description("Only this partition; all when left out.")] int? partition = null,
        [Description("Start at this offset (in each partition browsed).")] long? offset = null,
        [Description("Start at the first record at or after this ISO 8601 time.")] DateTimeOffset? time = null,
        [Description("Start this many records before each partition's end.")] long? last = null,
        [Description("Records per page, 1 to 1000; 50 when left out.")] int? limit = null,
        [Description("Only records with exactly this key.")] string? key = null,
        [Description("Only records with this header: NAME, or NAME:VALUE.")] string? header = null,
        [Description("Only CloudEvents of this type: OrderPlaced (any version) or OrderPlaced.v2.")] string? type = null,
        [Description("Only records whose value contains this text, ignoring case.")] string? contains = null,
        [Description("The next cursor of the page before. the start parameters are then ignored, the filters must be the same.")] string? cursor = null,
        CancellationToken cancellationToken = default)
    {
        var b = broker.Broker;
        var partitions = b.DescribePartitions(topic) ?? throw ApiException.UnknownTopic(topic);
        if (partition is { } only && (only < 0 || only >= partitions.Count))
        {
            throw ApiException.UnknownPartition(topic, only, partitions.Count);
        }

        if (new object?[] { offset, time, last }.Count(x => x is not null) > 1)
        {
            throw ApiException.BadRequest("Give at most one of offset, time and last.");
        }

        if (offset < 0 || last < 0)
        {
            throw ApiException.BadRequest("offset and last cannot be negative.");
        }

        var size = PageLimit.Of(limit, DefaultLimit);
        var filter = RecordFilter.Parse(key, header, type, contains);
        var scope = partitions.Where(p => partition is null || p.Partition == partition).ToList();
        var positions = cursor is null ? Start(b, topic, scope, offset, time, last) : FromCursor(cursor, partition, scope);

        var scan = new RecordScan(b, filter, size, http.MaxScanBytes);
        var more = false;
        foreach (var p in scope)
        {
            if (!scan.Full && !scan.Cut)
            {
                positions[p.Partition] = await scan.ScanAsync(topic, p.Partition, positions[p.Partition], p.EndOffset, cancellationToken).ConfigureAwait(false);
            }

            more |= positions[p.Partition] < p.EndOffset;
        }

        var unfinished = scope.Where(p => positions[p.Partition] < p.EndOffset).Select(p => KeyValuePair.Create(p.Partition, positions[p.Partition]));
        return TypedResults.Ok(new BrowseJson(scan.Found, more ? Cursor.EncodePositions(partition, unfinished) : null, scan.ScannedRecords, scan.ScannedBytes, scan.Cut));
    }

    private static Dictionary<int, long> Start(HeraldBroker broker, string topic, List<PartitionDescription> scope, long? offset, DateTimeOffset? time, long? last) =>
        scope.ToDictionary(p => p.Partition, p =>
        {
            return time is { } at ? Positions.AtOrAfter(broker, topic, p, at) : Positions.Within(p, offset ?? (last is { } n ? p.EndOffset - n : p.StartOffset));
        });

    private static Dictionary<int, long> FromCursor(string cursor, int? partition, List<PartitionDescription> scope)
    {
        // The cursor holds the partitions not read to their end yet; the others are done.
        var positions = Cursor.DecodePositions(cursor, partition);
        if (positions.Keys.Any(partition => scope.All(p => p.Partition != partition)))
        {
            throw ApiException.BadRequest("The cursor was given for other partitions; pass the same partition as the page before.");
        }

        return scope.ToDictionary(p => p.Partition, p => positions.TryGetValue(p.Partition, out var next) ? Math.Max(next, p.StartOffset) : p.EndOffset);
    }
}
