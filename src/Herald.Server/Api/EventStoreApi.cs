using System.ComponentModel;
using System.Text.Json;
using Herald.EventSourcing;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary>
/// The event store, when the server has one: <c>/api/v1/streams</c> (list, read), <c>/api/v1/events</c> (<c>$all</c>)
/// and <c>/api/v1/projections</c> (status and lag). Read-only: appends belong to the applications.
/// </summary>
internal static class EventStoreApi
{
    private const int DefaultLimit = 100;

    public static void Map(RouteGroupBuilder api)
    {
        var store = api.MapGroup(string.Empty).WithTags("Event store");
        store.MapGet("/streams", ListAsync).WithSummary("Lists streams by id, a page at a time, with their versions.").ProducesProblem(404);
        store.MapGet("/streams/{stream}", ReadAsync).WithSummary("Reads a stream's events forwards or backwards from a version.").ProducesProblem(404);
        store.MapGet("/events", ReadAllAsync).WithSummary("Reads $all, every stream's events in commit order, from a global position.").ProducesProblem(404);
        store.MapGet("/projections", ProjectionsAsync).WithSummary("Shows each projection's phase, checkpoint and lag.").ProducesProblem(404);
    }

    private static async Task<Ok<Page<StreamSummaryJson>>> ListAsync(EventStoreService events, [Description("Only streams whose id starts with this.")] string? prefix = null, [Description("The next cursor of the page before.")] string? cursor = null, [Description("Streams per page, 1 to 1000; 100 when left out.")] int? limit = null, CancellationToken cancellationToken = default)
    {
        var store = events.Store;
        var size = PageLimit.Of(limit, DefaultLimit);
        var after = cursor is null ? null : Cursor.DecodeName(cursor);
        var ids = new List<string>();
        await foreach (var id in store.ListStreamsAsync(prefix ?? string.Empty, cancellationToken).ConfigureAwait(false))
        {
            if (after is null || string.CompareOrdinal(id, after) > 0)
            {
                ids.Add(id);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        var page = new List<StreamSummaryJson>();
        foreach (var id in ids.Take(size))
        {
            page.Add(new StreamSummaryJson(id, await store.GetStreamVersionAsync(id, cancellationToken).ConfigureAwait(false)));
        }

        return TypedResults.Ok(new Page<StreamSummaryJson>(page, ids.Count > size ? Cursor.EncodeName(ids[size - 1]) : null));
    }

    private static async Task<Ok<StreamJson>> ReadAsync(EventStoreService events, [Description("The stream id.")] string stream, [Description("The version to start at; the first (forwards) or the last (backwards) when left out.")] long? from = null, [Description("Events per page, 1 to 1000; 100 when left out.")] int? limit = null, [Description("forwards (the default) or backwards.")] string? direction = null, CancellationToken cancellationToken = default)
    {
        var store = events.Store;
        var size = PageLimit.Of(limit, DefaultLimit);
        var backwards = direction switch
        {
            null or "forwards" => false,
            "backwards" => true,
            _ => throw ApiException.BadRequest($"direction must be forwards or backwards; it is '{direction}'."),
        };
        try
        {
            StoreArguments.CheckStreamId(stream);
        }
        catch (ArgumentException invalid)
        {
            throw ApiException.BadRequest(invalid.Message); // $all and other reserved or malformed ids
        }

        var version = await store.GetStreamVersionAsync(stream, cancellationToken).ConfigureAwait(false) ?? throw ApiException.NotFound($"Stream '{stream}' does not exist.");
        var page = new List<StoredEventJson>(Math.Min(size + 1, 64));
        try
        {
            await foreach (var e in store.ReadStreamAsync(stream, backwards ? Direction.Backwards : Direction.Forwards, from, size + 1, cancellationToken).ConfigureAwait(false))
            {
                page.Add(Json(e));
            }
        }
        catch (StreamDeletedException deleted)
        {
            throw new ApiException(410, "Gone", deleted.Message);
        }

        var next = page.Count > size ? page[size].Version : (long?)null;
        return TypedResults.Ok(new StreamJson(stream, version, page.Take(size).ToList(), next));
    }

    private static async Task<Ok<AllEventsJson>> ReadAllAsync(EventStoreService events, [Description("The global position to start at; 0 when left out.")] long? from = null, [Description("Events per page, 1 to 1000; 100 when left out.")] int? limit = null, [Description("Only events of this type.")] string? type = null, [Description("Only events of streams whose id starts with this.")] string? prefix = null, CancellationToken cancellationToken = default)
    {
        var size = PageLimit.Of(limit, DefaultLimit);
        if (from < 0)
        {
            throw ApiException.BadRequest("from cannot be negative.");
        }

        var filter = new EventFilter { EventTypes = type is null ? [] : [type], StreamPrefixes = prefix is null ? [] : [prefix] };
        var page = new List<StoredEventJson>();
        long? next = null;
        await foreach (var e in events.Store.ReadAllAsync(from ?? 0, filter, cancellationToken).ConfigureAwait(false))
        {
            if (page.Count == size)
            {
                next = e.Position;
                break;
            }

            page.Add(Json(e));
        }

        return TypedResults.Ok(new AllEventsJson(page, next));
    }

    private static async Task<Ok<IReadOnlyList<ProjectionStatus>>> ProjectionsAsync(EventStoreService events, CancellationToken cancellationToken) =>
        TypedResults.Ok(await events.Projections.ReadStatusesAsync(cancellationToken).ConfigureAwait(false));

    private static StoredEventJson Json(RecordedEvent e) =>
        new(e.StreamId, e.Version, e.Position, e.EventId, e.Type, Body(e.Data), e.Timestamp, e.CorrelationId, e.CausationId, e.TraceParent);

    private static object? Body(ReadOnlyMemory<byte> data)
    {
        try
        {
            using var document = JsonDocument.Parse(data);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return RecordView.Utf8(data) ?? Convert.ToBase64String(data.Span);
        }
    }
}
