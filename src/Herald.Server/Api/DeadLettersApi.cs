using System.ComponentModel;
using System.Text;
using Herald.Client;
using Herald.Client.Transport.Embedded;
using Herald.Server.Internal;
using Herald.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary>
/// <c>/api/v1/dead-letters</c>: list, show, redrive and purge dead letters through the SDK's
/// <see cref="DeadLetterQueue"/>, so the API, <c>herald dlq</c> and the console agree on what is resolved.
/// </summary>
internal static class DeadLettersApi
{
    private const string Suffix = ".dlq";

    public static void Map(RouteGroupBuilder api)
    {
        var letters = api.MapGroup("/dead-letters").WithTags("Dead letters");
        letters.MapGet("", ListTopicsAsync).WithSummary("Lists dead-letter topics (names ending in .dlq) with their group and the letters not yet resolved.");
        letters.MapGet("/{dlqTopic}", ListAsync).WithSummary("Lists a dead-letter topic's unresolved letters, oldest failure first, with optional filters.").ProducesProblem(404);
        letters.MapGet("/{dlqTopic}/{partition:int}/{offset:long}", ShowAsync).WithSummary("Shows one dead letter with its headers and body.").ProducesProblem(404);
        letters.MapPost("/{dlqTopic}/redrive", RedriveAsync).WithSummary("Publishes matching letters again (same ids) to their original topic, or toTopic, and marks them resolved.").ProducesProblem(404);
        letters.MapPost("/{dlqTopic}/purge", PurgeAsync).WithSummary("Marks matching letters resolved without publishing them.").ProducesProblem(404);
    }

    private static async Task<Ok<IReadOnlyList<DeadLetterTopicJson>>> ListTopicsAsync(BrokerService broker, CancellationToken cancellationToken)
    {
        var queue = Queue(broker);
        var result = new List<DeadLetterTopicJson>();
        foreach (var topic in broker.Broker.ListTopics().Select(t => t.Name).Where(n => n.EndsWith(Suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var unresolved = await queue.ListAsync(topic, null, cancellationToken).ConfigureAwait(false);
            var first = unresolved.FirstOrDefault();
            result.Add(new DeadLetterTopicJson(topic, first?.Group, first?.OriginalTopic, unresolved.Count));
        }

        return TypedResults.Ok<IReadOnlyList<DeadLetterTopicJson>>(result);
    }

    private static async Task<Ok<IReadOnlyList<DeadLetterJson>>> ListAsync(BrokerService broker, [Description("The dead-letter topic, such as orders.email.dlq.")] string dlqTopic, [Description("Only events of this type: OrderPlaced (any version) or OrderPlaced.v2.")] string? type = null, [Description("Only failures with this exception type, full or short name.")] string? error = null, [Description("Only those that last failed at or after this time.")] DateTimeOffset? since = null, [Description("Only those that last failed before this time.")] DateTimeOffset? until = null, [Description("At most this many, oldest first.")] int? limit = null, CancellationToken cancellationToken = default)
    {
        Require(broker, dlqTopic);
        var filter = new DeadLetterFilter { EventType = type, ErrorType = error, Since = since, Until = until, Limit = limit is < 1 ? throw ApiException.BadRequest("limit must be at least 1.") : limit };
        var letters = await Queue(broker).ListAsync(dlqTopic, filter, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<DeadLetterJson>>([.. letters.Select(l => Json(l, withRecord: false))]);
    }

    private static async Task<Ok<DeadLetterJson>> ShowAsync(BrokerService broker, string dlqTopic, int partition, long offset, CancellationToken cancellationToken)
    {
        Require(broker, dlqTopic);
        var letter = await Queue(broker).ShowAsync(dlqTopic, partition, offset, cancellationToken).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No unresolved dead letter at {partition}:{offset} in {dlqTopic}.");
        return TypedResults.Ok(Json(letter, withRecord: true));
    }

    private static async Task<Ok<DeadLetterResultJson>> RedriveAsync(BrokerService broker, string dlqTopic, DeadLetterActionJson action, CancellationToken cancellationToken)
    {
        Require(broker, dlqTopic);
        if (action.ToTopic is { } to && !broker.Broker.TopicExists(to))
        {
            throw ApiException.UnknownTopic(to);
        }

        DeadLetterResult result;
        try
        {
            result = await Queue(broker).RedriveAsync(dlqTopic, Filter(action), action.ToTopic, action.DryRun, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is PublishException or InvalidOperationException)
        {
            // An original topic deleted since, say: the letters redriven before it stay resolved, the rest wait.
            throw new ApiException(StatusCodes.Status409Conflict, "Conflict", $"The redrive stopped: {exception.Message} Letters redriven before this one are resolved; list the topic again to see what still waits.");
        }

        return TypedResults.Ok(new DeadLetterResultJson(result.DryRun, [.. result.Letters.Select(l => Json(l, withRecord: false))]));
    }

    private static async Task<Ok<DeadLetterResultJson>> PurgeAsync(BrokerService broker, string dlqTopic, DeadLetterActionJson action, CancellationToken cancellationToken)
    {
        Require(broker, dlqTopic);
        var result = await Queue(broker).PurgeAsync(dlqTopic, Filter(action), action.DryRun, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new DeadLetterResultJson(result.DryRun, [.. result.Letters.Select(l => Json(l, withRecord: false))]));
    }

    private static DeadLetterQueue Queue(BrokerService broker) => new(new EmbeddedTransport(broker.Broker, ownsBroker: false));

    private static void Require(BrokerService broker, string dlqTopic)
    {
        if (!broker.Broker.TopicExists(dlqTopic))
        {
            throw ApiException.UnknownTopic(dlqTopic);
        }
    }

    private static DeadLetterFilter Filter(DeadLetterActionJson action) => new()
    {
        EventType = action.Type,
        ErrorType = action.Error,
        Since = action.Since,
        Until = action.Until,
        Limit = action.Limit is < 1 ? throw ApiException.BadRequest("limit must be at least 1.") : action.Limit,
    };

    private static DeadLetterJson Json(DeadLetter letter, bool withRecord) => new(
        letter.Reference,
        letter.Partition,
        letter.Offset,
        letter.Key,
        letter.EventId,
        letter.EventType,
        letter.ExceptionType,
        letter.ExceptionMessage,
        withRecord ? letter.ExceptionStack : null,
        letter.Attempts,
        letter.OriginalTopic,
        letter.OriginalPartition,
        letter.OriginalOffset,
        letter.Group,
        letter.FirstFailure,
        letter.LastFailure,
        withRecord ? Show(letter) : null);

    private static StoredRecordJson Show(DeadLetter letter)
    {
        var r = letter.Record;
        var record = new Record(
            r.Offset,
            r.Timestamp.ToUnixTimeMilliseconds(),
            r.Key is null ? (ReadOnlyMemory<byte>?)null : Encoding.UTF8.GetBytes(r.Key),
            r.Value,
            [.. r.Headers.Select(h => new RecordHeader(h.Key, h.Value))]);
        return RecordView.Show(r.Topic, r.Partition, record);
    }
}
