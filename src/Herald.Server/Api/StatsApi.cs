using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary><c>GET /api/v1/stats</c>: counts and recent throughput, for the console's overview.</summary>
internal static class StatsApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/stats", Stats).WithTags("Topics").WithSummary("Counts of topics, partitions and groups, and messages per second across all topics over the last ten minutes (a sample every 5 s).");

    private static Ok<StatsJson> Stats(BrokerService broker, TopicRates rates, EventStoreService events, HeraldServerOptions options) => TypedResults.Ok(new StatsJson(
        broker.Broker.ListTopics().Count,
        broker.Broker.PartitionCount,
        broker.Broker.ListGroups().Count,
        events.IsConfigured,
        options.AllowAnonymous && options.ReachableFromOtherMachines,
        [.. rates.History().Select(s => new RateSampleJson(s.At, s.RecordsPerSecond, s.BytesPerSecond))]));
}
