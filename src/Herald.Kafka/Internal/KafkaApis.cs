using Herald.Kafka.Handlers;
using Herald.Kafka.Messages;

namespace Herald.Kafka.Internal;

/// <summary>Every API Herald answers, with the versions it accepts: all that Kafka's specs define, from 0.</summary>
internal sealed class KafkaApis
{
    private readonly Dictionary<short, KafkaApi> _byKey;

    public KafkaApis(ClusterView cluster, ListenerSecurity security)
    {
        var users = new UserHandlers(security);
        var clusterHandlers = new ClusterHandlers(cluster);
        var produce = new ProduceHandler(cluster);
        var fetch = new FetchHandler(cluster);
        var offsets = new OffsetHandlers(cluster);
        var groups = new GroupHandlers(cluster);
        var topics = new TopicHandlers(cluster);
        var configs = new ConfigHandlers(cluster);
        var session = new SessionHandlers(cluster, () => All ?? []);

        KafkaApi[] apis =
        [
            new KafkaApi(ProduceRequest.ApiKey, "Produce", 0, ProduceRequest.HighestVersion, produce.HandleAsync), // read into reused requests
            new KafkaApi(FetchRequest.ApiKey, "Fetch", 0, FetchRequest.HighestVersion, fetch.HandleAsync),
            KafkaApi.Create<ListOffsetsRequest>(ListOffsetsRequest.ApiKey, "ListOffsets", ListOffsetsRequest.HighestVersion, ListOffsetsRequest.Read, offsets.ListOffsets),
            KafkaApi.Create<MetadataRequest>(MetadataRequest.ApiKey, "Metadata", MetadataRequest.HighestVersion, MetadataRequest.Read, clusterHandlers.Metadata),
            KafkaApi.Create<OffsetCommitRequest>(OffsetCommitRequest.ApiKey, "OffsetCommit", OffsetCommitRequest.HighestVersion, OffsetCommitRequest.Read, offsets.OffsetCommit),
            KafkaApi.Create<OffsetFetchRequest>(OffsetFetchRequest.ApiKey, "OffsetFetch", OffsetFetchRequest.HighestVersion, OffsetFetchRequest.Read, offsets.OffsetFetch),
            KafkaApi.Create<FindCoordinatorRequest>(FindCoordinatorRequest.ApiKey, "FindCoordinator", FindCoordinatorRequest.HighestVersion, FindCoordinatorRequest.Read, clusterHandlers.FindCoordinator),
            KafkaApi.Create<JoinGroupRequest>(JoinGroupRequest.ApiKey, "JoinGroup", JoinGroupRequest.HighestVersion, JoinGroupRequest.Read, groups.JoinAsync),
            KafkaApi.Create<HeartbeatRequest>(HeartbeatRequest.ApiKey, "Heartbeat", HeartbeatRequest.HighestVersion, HeartbeatRequest.Read, groups.Heartbeat),
            KafkaApi.Create<LeaveGroupRequest>(LeaveGroupRequest.ApiKey, "LeaveGroup", LeaveGroupRequest.HighestVersion, LeaveGroupRequest.Read, groups.Leave),
            KafkaApi.Create<SyncGroupRequest>(SyncGroupRequest.ApiKey, "SyncGroup", SyncGroupRequest.HighestVersion, SyncGroupRequest.Read, groups.SyncAsync),
            KafkaApi.Create<DescribeGroupsRequest>(DescribeGroupsRequest.ApiKey, "DescribeGroups", DescribeGroupsRequest.HighestVersion, DescribeGroupsRequest.Read, groups.Describe),
            KafkaApi.Create<ListGroupsRequest>(ListGroupsRequest.ApiKey, "ListGroups", ListGroupsRequest.HighestVersion, ListGroupsRequest.Read, groups.List),
                        KafkaApi.Create<SaslHandshakeRequest>(SaslHandshakeRequest.ApiKey, "SaslHandshake", SaslHandshakeRequest.HighestVersion, SaslHandshakeRequest.Read, session.SaslHandshake),
            KafkaApi.Create<ApiVersionsRequest>(ApiVersionsRequest.ApiKey, "ApiVersions", ApiVersionsRequest.HighestVersion, ApiVersionsRequest.Read, session.ApiVersions),
            KafkaApi.Create<CreateTopicsRequest>(CreateTopicsRequest.ApiKey, "CreateTopics", CreateTopicsRequest.HighestVersion, CreateTopicsRequest.Read, topics.Create),
            KafkaApi.Create<DeleteTopicsRequest>(DeleteTopicsRequest.ApiKey, "DeleteTopics", DeleteTopicsRequest.HighestVersion, DeleteTopicsRequest.Read, topics.Delete),
            KafkaApi.Create<DeleteRecordsRequest>(DeleteRecordsRequest.ApiKey, "DeleteRecords", DeleteRecordsRequest.HighestVersion, DeleteRecordsRequest.Read, offsets.DeleteRecords),
            KafkaApi.Create<InitProducerIdRequest>(InitProducerIdRequest.ApiKey, "InitProducerId", InitProducerIdRequest.HighestVersion, InitProducerIdRequest.Read, session.InitProducerId),
            KafkaApi.Create<DescribeConfigsRequest>(DescribeConfigsRequest.ApiKey, "DescribeConfigs", DescribeConfigsRequest.HighestVersion, DescribeConfigsRequest.Read, configs.Describe),
            KafkaApi.Create<AlterConfigsRequest>(AlterConfigsRequest.ApiKey, "AlterConfigs", AlterConfigsRequest.HighestVersion, AlterConfigsRequest.Read, configs.Alter),
            KafkaApi.Create<SaslAuthenticateRequest>(SaslAuthenticateRequest.ApiKey, "SaslAuthenticate", SaslAuthenticateRequest.HighestVersion, SaslAuthenticateRequest.Read, session.SaslAuthenticate),
            KafkaApi.Create<CreatePartitionsRequest>(CreatePartitionsRequest.ApiKey, "CreatePartitions", CreatePartitionsRequest.HighestVersion, CreatePartitionsRequest.Read, topics.CreatePartitions),
            KafkaApi.Create<DeleteGroupsRequest>(DeleteGroupsRequest.ApiKey, "DeleteGroups", DeleteGroupsRequest.HighestVersion, DeleteGroupsRequest.Read, groups.Delete),
            KafkaApi.Create<IncrementalAlterConfigsRequest>(IncrementalAlterConfigsRequest.ApiKey, "IncrementalAlterConfigs", IncrementalAlterConfigsRequest.HighestVersion, IncrementalAlterConfigsRequest.Read, configs.IncrementalAlter),
            KafkaApi.Create<OffsetDeleteRequest>(OffsetDeleteRequest.ApiKey, "OffsetDelete", OffsetDeleteRequest.HighestVersion, OffsetDeleteRequest.Read, offsets.OffsetDelete),
            KafkaApi.Create<DescribeClusterRequest>(DescribeClusterRequest.ApiKey, "DescribeCluster", DescribeClusterRequest.HighestVersion, DescribeClusterRequest.Read, clusterHandlers.DescribeCluster),
            KafkaApi.Create<DescribeUserScramCredentialsRequest>(DescribeUserScramCredentialsRequest.ApiKey, "DescribeUserScramCredentials", DescribeUserScramCredentialsRequest.HighestVersion, DescribeUserScramCredentialsRequest.Read, users.Describe),
            KafkaApi.Create<AlterUserScramCredentialsRequest>(AlterUserScramCredentialsRequest.ApiKey, "AlterUserScramCredentials", AlterUserScramCredentialsRequest.HighestVersion, AlterUserScramCredentialsRequest.Read, users.Alter),
        ];
        All = [.. apis.OrderBy(a => a.Key)];
        _byKey = All.ToDictionary(a => a.Key);
    }

    /// <summary>The APIs, in key order.</summary>
    public IReadOnlyList<KafkaApi> All { get; }

    /// <summary>The API with this key, or null.</summary>
    public KafkaApi? Find(short key) => _byKey.GetValueOrDefault(key);
}
