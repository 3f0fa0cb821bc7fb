using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;

namespace Herald.Kafka.Handlers;

/// <summary>Metadata, DescribeCluster and FindCoordinator: the one-node cluster, its topics and where groups live.</summary>
internal sealed class ClusterHandlers(ClusterView cluster)
{
    private const int AuthorizedOperationsOmitted = int.MinValue;
    private const string NoTransactions = "Herald does not support Kafka transactions; unset transactional.id (an idempotent producer still writes each record once).";

    public MetadataResponse Metadata(RequestContext context, MetadataRequest request)
    {
        var version = context.ApiVersion;
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = cluster.NodeId, Host = cluster.Host, Port = cluster.Port, Rack = null }],
            ClusterId = cluster.Options.ClusterId,
            ControllerId = cluster.NodeId,
            ClusterAuthorizedOperations = AuthorizedOperationsOmitted,
        };

        // v0: an empty list means every topic; v1+: a null list does.
        var everyTopic = request.Topics is null || (version == 0 && request.Topics.Count == 0);
        if (everyTopic)
        {
            response.Topics.AddRange(cluster.Broker.ListTopics().Select(Describe));
            return response;
        }

        var allowCreate = version < 4 || request.AllowAutoTopicCreation;
        foreach (var wanted in request.Topics!)
        {
            if (wanted.Name is null)
            {
                response.Topics.Add(cluster.FindById(wanted.TopicId) is { } byId
                    ? Describe(byId)
                    : new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)ErrorCode.UnknownTopicId, TopicId = wanted.TopicId, Name = null });
                continue;
            }

            var (error, topic) = cluster.FindOrCreate(wanted.Name, allowCreate);
            response.Topics.Add(topic is null
                ? new MetadataResponse.MetadataResponseTopic { ErrorCode = (short)error, Name = wanted.Name, TopicAuthorizedOperations = AuthorizedOperationsOmitted }
                : Describe(topic));
        }

        return response;
    }

    public DescribeClusterResponse DescribeCluster(RequestContext context, DescribeClusterRequest request) => new()
    {
        ClusterId = cluster.Options.ClusterId,
        ControllerId = cluster.NodeId,
        EndpointType = request.EndpointType,
        Brokers = [new DescribeClusterResponse.DescribeClusterBroker { BrokerId = cluster.NodeId, Host = cluster.Host, Port = cluster.Port, Rack = null }],
        ClusterAuthorizedOperations = AuthorizedOperationsOmitted,
    };

    public FindCoordinatorResponse FindCoordinator(RequestContext context, FindCoordinatorRequest request)
    {
        // This node coordinates every group. Herald has no transaction coordinator: librdkafka treats this error as
        // fatal at once, with the message, where others would make it retry until its timeout.
        var error = request.KeyType == 0 ? ErrorCode.None : ErrorCode.TransactionalIdAuthorizationFailed;
        var message = error == ErrorCode.None ? null : NoTransactions;
        var (nodeId, host, port) = error == ErrorCode.None ? (cluster.NodeId, cluster.Host, cluster.Port) : (-1, string.Empty, -1);
        if (context.ApiVersion < 4)
        {
            return new FindCoordinatorResponse { ErrorCode = (short)error, ErrorMessage = message, NodeId = nodeId, Host = host, Port = port };
        }

        return new FindCoordinatorResponse
        {
            Coordinators = [.. request.CoordinatorKeys.Select(key => new FindCoordinatorResponse.Coordinator
            {
                Key = key,
                ErrorCode = (short)error,
                ErrorMessage = message,
                NodeId = nodeId,
                Host = host,
                Port = port,
            })],
        };
    }

    private MetadataResponse.MetadataResponseTopic Describe(TopicDescription topic) => new()
    {
        Name = topic.Name,
        TopicId = topic.Id,
        IsInternal = false,
        TopicAuthorizedOperations = AuthorizedOperationsOmitted,
        Partitions = [.. Enumerable.Range(0, topic.Partitions).Select(p => new MetadataResponse.MetadataResponsePartition
        {
            PartitionIndex = p,
            LeaderId = cluster.NodeId,
            LeaderEpoch = -1,
            ReplicaNodes = [cluster.NodeId],
            IsrNodes = [cluster.NodeId],
            OfflineReplicas = [],
        })],
    };
}
