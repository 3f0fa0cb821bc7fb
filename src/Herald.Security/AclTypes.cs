namespace Herald.Security;

/// <summary>What an ACL is about, with Kafka's numbers on the wire.</summary>
public enum AclResourceType : sbyte
{
    /// <summary>In a filter: any type.</summary>
    Any = 1,

    /// <summary>A topic.</summary>
    Topic = 2,

    /// <summary>A consumer group.</summary>
    Group = 3,

    /// <summary>The cluster, named <c>kafka-cluster</c>.</summary>
    Cluster = 4,

    /// <summary>A transactional id.</summary>
    TransactionalId = 5,
}

/// <summary>How an ACL's resource name matches, with Kafka's numbers.</summary>
public enum AclPatternType : sbyte
{
    /// <summary>In a filter: any pattern type.</summary>
    Any = 1,

    /// <summary>In a filter: every ACL that would apply to the named resource (literal, wildcard and prefixes).</summary>
    Match = 2,

    /// <summary>The name as it is; <c>*</c> means every resource of the type.</summary>
    Literal = 3,

    /// <summary>Every resource whose name starts with this.</summary>
    Prefixed = 4,
}

/// <summary>What a principal does to a resource, with Kafka's numbers.</summary>
public enum AclOperation : sbyte
{
    /// <summary>In a filter: any operation.</summary>
    Any = 1,

    /// <summary>Every operation.</summary>
    All = 2,

    /// <summary>Consume from a topic; join, commit and fetch offsets in a group.</summary>
    Read = 3,

    /// <summary>Produce to a topic.</summary>
    Write = 4,

    /// <summary>Create topics (on the cluster, or on a topic name or prefix).</summary>
    Create = 5,

    /// <summary>Delete topics, records, groups.</summary>
    Delete = 6,

    /// <summary>Add partitions; on the cluster, change ACLs and users.</summary>
    Alter = 7,

    /// <summary>See that a topic or group exists, its offsets and members; on the cluster, list ACLs and users.</summary>
    Describe = 8,

    /// <summary>Broker-to-broker requests; Herald has none, kept for Kafka's ACLs.</summary>
    ClusterAction = 9,

    /// <summary>Read configs.</summary>
    DescribeConfigs = 10,

    /// <summary>Change configs.</summary>
    AlterConfigs = 11,

    /// <summary>Use an idempotent producer (on the cluster).</summary>
    IdempotentWrite = 12,
}

/// <summary>Whether an ACL allows or denies, with Kafka's numbers. A deny wins over any allow.</summary>
public enum AclPermission : sbyte
{
    /// <summary>In a filter: either.</summary>
    Any = 1,

    /// <summary>Denies the operation, whatever else allows it.</summary>
    Deny = 2,

    /// <summary>Allows the operation unless a deny matches.</summary>
    Allow = 3,
}
