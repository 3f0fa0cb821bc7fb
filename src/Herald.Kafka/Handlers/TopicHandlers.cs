using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;

namespace Herald.Kafka.Handlers;

/// <summary>CreateTopics, DeleteTopics and CreatePartitions.</summary>
internal sealed class TopicHandlers(ClusterView cluster)
{
    public CreateTopicsResponse Create(RequestContext context, CreateTopicsRequest request)
    {
        // One request is one operation, as a KRaft controller sees it: its topics together stay within the limit.
        var limit = cluster.Broker.Options.MaxPartitionsPerRequest;
        var asked = request.Topics.Sum(t => (long)(t.Assignments.Count > 0 ? t.Assignments.Count : t.NumPartitions == -1 ? cluster.Broker.Options.DefaultPartitions : Math.Max(0, t.NumPartitions)));
        if (request.Topics.Count > 1 && asked > limit)
        {
            var refused = new AdminResult(ErrorCode.PolicyViolation, $"The request asks for {asked} partitions in all; one request may create at most {limit}.");
            return new CreateTopicsResponse { Topics = [.. request.Topics.Select(topic => Result(topic.Name, refused, created: null))] };
        }

        return new CreateTopicsResponse { Topics = [.. request.Topics.Select(topic => Create(topic, request.validateOnly))] };
    }

    public DeleteTopicsResponse Delete(RequestContext context, DeleteTopicsRequest request)
    {
        // v6 names topics by name or id; earlier versions by name only.
        var targets = context.ApiVersion >= 6
            ? request.Topics.Select(t => (t.Name ?? cluster.NameById(t.TopicId), t.TopicId))
            : request.TopicNames.Select(name => ((string?)name, Guid.Empty));
        return new DeleteTopicsResponse
        {
            Responses = [.. targets.Select(target =>
            {
                var (name, id) = target;
                var result = name is null ? new AdminResult(ErrorCode.UnknownTopicId, $"No topic has id {id}.") : cluster.Broker.DeleteTopic(name);
                return new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = id, ErrorCode = (short)result.Error, ErrorMessage = result.Message };
            })],
        };
    }

    public CreatePartitionsResponse CreatePartitions(RequestContext context, CreatePartitionsRequest request) => new()
    {
        Results = [.. request.Topics.Select(topic =>
        {
            var result = topic.Assignments is { Count: > 0 } assignments && assignments.Any(a => a.BrokerIds.Any(id => id != cluster.NodeId))
                ? new AdminResult(ErrorCode.InvalidReplicaAssignment, $"Herald is one node; replicas can only be on node {cluster.NodeId}.")
                : cluster.Broker.CreatePartitions(topic.Name, topic.Count, request.ValidateOnly);
            return new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name, ErrorCode = (short)result.Error, ErrorMessage = result.Message };
        })],
    };

    private CreateTopicsResponse.CreatableTopicResult Create(CreateTopicsRequest.CreatableTopic topic, bool validateOnly)
    {
        var result = Check(topic) ?? cluster.Broker.CreateTopic(
            topic.Name,
            topic.Assignments.Count > 0 ? topic.Assignments.Count : topic.NumPartitions == -1 ? null : topic.NumPartitions,
            topic.Configs.Where(c => c.Value is not null).ToDictionary(c => c.Name, c => c.Value!),
            validateOnly);
        return Result(topic.Name, result, result.Succeeded && !validateOnly ? cluster.Broker.DescribeTopic(topic.Name) : null);
    }

    private static CreateTopicsResponse.CreatableTopicResult Result(string name, AdminResult result, TopicDescription? created) =>
        new()
        {
            Name = name,
            TopicId = created?.Id ?? Guid.Empty,
            ErrorCode = (short)result.Error,
            ErrorMessage = result.Message,
            NumPartitions = created?.Partitions ?? -1,
            ReplicationFactor = (short)(created is null ? -1 : 1),
            Configs = created is null ? null : [.. created.Config.Effective.Select(c => new CreateTopicsResponse.CreatableTopicConfigs
            {
                Name = c.Key,
                Value = c.Value,
                ConfigSource = ConfigSource.Of(created.Config.OriginOf(c.Key)),
            })],
        };

    private AdminResult? Check(CreateTopicsRequest.CreatableTopic topic)
    {
        if (topic.Configs.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            return new AdminResult(ErrorCode.InvalidConfig, $"Config '{repeated.Key}' is given more than once.");
        }

        if (topic.ReplicationFactor is not (-1 or 1) && topic.Assignments.Count == 0)
        {
            return new AdminResult(ErrorCode.InvalidReplicationFactor, $"Herald is one node, so the replication factor must be 1 (or -1 for the default), got {topic.ReplicationFactor}.");
        }

        if (topic.Assignments.Any(a => a.BrokerIds.Any(id => id != cluster.NodeId)))
        {
            return new AdminResult(ErrorCode.InvalidReplicaAssignment, $"Herald is one node; replicas can only be on node {cluster.NodeId}.");
        }

        return null;
    }
}
