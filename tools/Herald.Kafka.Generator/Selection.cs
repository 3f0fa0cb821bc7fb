namespace Herald.Kafka.Generator;

/// <summary>The Kafka APIs Herald speaks; each has a Request and a Response spec.</summary>
internal static class Selection
{
    public static readonly string[] Apis =
    [
        "Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch", "FindCoordinator",
        "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake",
        "ApiVersions", "CreateTopics", "DeleteTopics", "DeleteRecords", "InitProducerId", "DescribeConfigs",
        "AlterConfigs", "SaslAuthenticate", "CreatePartitions", "DeleteGroups", "IncrementalAlterConfigs",
        "OffsetDelete", "DescribeCluster", "DescribeUserScramCredentials", "AlterUserScramCredentials",
    ];
}
