namespace Herald.Broker;

/// <summary>Kafka's error codes, with Kafka's numbers and meanings, as the broker reports them.</summary>
public enum ErrorCode : short
{
    /// <summary>An unexpected server error.</summary>
    UnknownServerError = -1,

    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The offset is outside the range the partition holds.</summary>
    OffsetOutOfRange = 1,

    /// <summary>A record batch failed its CRC or is otherwise corrupt.</summary>
    CorruptMessage = 2,

    /// <summary>The topic or partition does not exist.</summary>
    UnknownTopicOrPartition = 3,

    /// <summary>A record batch is larger than the topic's max.message.bytes.</summary>
    MessageTooLarge = 10,

    /// <summary>The commit's metadata string is longer than the broker keeps (4 KiB, Kafka's offset.metadata.max.bytes).</summary>
    OffsetMetadataTooLarge = 12,

    /// <summary>The group coordinator is shutting down or not running.</summary>
    CoordinatorNotAvailable = 15,

    /// <summary>The topic name is not valid.</summary>
    InvalidTopicException = 17,

    /// <summary>acks=all needs more in-sync replicas than min.insync.replicas allows; a single node has one.</summary>
    NotEnoughReplicas = 19,

    /// <summary>The acks value is not -1, 0 or 1.</summary>
    InvalidRequiredAcks = 21,

    /// <summary>The member's generation is not the group's current one.</summary>
    IllegalGeneration = 22,

    /// <summary>The member's protocol type or protocols do not match the group's.</summary>
    InconsistentGroupProtocol = 23,

    /// <summary>The group id is empty or otherwise not valid.</summary>
    InvalidGroupId = 24,

    /// <summary>The group does not know this member id.</summary>
    UnknownMemberId = 25,

    /// <summary>The session timeout is outside the broker's allowed range.</summary>
    InvalidSessionTimeout = 26,

    /// <summary>The group is rebalancing; the member must rejoin.</summary>
    RebalanceInProgress = 27,

    /// <summary>The topic already exists.</summary>
    TopicAlreadyExists = 36,

    /// <summary>The partition count is not valid.</summary>
    InvalidPartitions = 37,

    /// <summary>The replication factor is not valid; a single node has exactly one replica.</summary>
    InvalidReplicationFactor = 38,

    /// <summary>A configuration name or value is not valid.</summary>
    InvalidConfig = 40,

    /// <summary>The request is malformed.</summary>
    InvalidRequest = 42,

    /// <summary>The record batch uses a format version Herald does not store (magic other than 2).</summary>
    UnsupportedForMessageFormat = 43,

    /// <summary>The request breaks a limit the broker sets, such as the most partitions it holds.</summary>
    PolicyViolation = 44,

    /// <summary>The stored data could not be read or written.</summary>
    KafkaStorageError = 56,

    /// <summary>An idempotent producer's batch does not follow its previous one (a gap, or a new epoch not at sequence 0).</summary>
    OutOfOrderSequenceNumber = 45,

    /// <summary>An idempotent producer sent a batch it already sent; Herald answers it as a success instead.</summary>
    DuplicateSequenceNumber = 46,

    /// <summary>An idempotent producer's epoch is older than the partition has seen: the producer was fenced.</summary>
    InvalidProducerEpoch = 47,

    /// <summary>The group still has members, so it cannot be deleted.</summary>
    NonEmptyGroup = 68,

    /// <summary>The group has no committed offsets and no members.</summary>
    GroupIdNotFound = 69,

    /// <summary>The member must rejoin with the member id given in the response (JoinGroup v4+).</summary>
    MemberIdRequired = 79,

    /// <summary>Another member with the same group.instance.id has replaced this one.</summary>
    FencedInstanceId = 82,

    /// <summary>A record batch is malformed.</summary>
    InvalidRecord = 87,

    /// <summary>The API or version is not supported.</summary>
    UnsupportedVersion = 35,

    /// <summary>The SASL mechanism is not enabled.</summary>
    UnsupportedSaslMechanism = 33,

    /// <summary>A SASL request arrived in the wrong state.</summary>
    IllegalSaslState = 34,

    /// <summary>The group is subscribed to the topic, so its offsets cannot be deleted.</summary>
    GroupSubscribedToTopic = 86,

    /// <summary>No topic has this id.</summary>
    UnknownTopicId = 100,

    /// <summary>A replica assignment names nodes this broker does not have.</summary>
    InvalidReplicaAssignment = 39,

    /// <summary>Herald has no transactions, so a transactional id cannot be used.</summary>
    TransactionalIdAuthorizationFailed = 53,

    /// <summary>The client's principal may not do this to the topic.</summary>
    TopicAuthorizationFailed = 29,

    /// <summary>The client's principal may not do this to the group.</summary>
    GroupAuthorizationFailed = 30,

    /// <summary>The client's principal may not do this to the cluster.</summary>
    ClusterAuthorizationFailed = 31,

    /// <summary>SASL authentication failed: wrong credentials, unknown user or a malformed exchange, never saying which.</summary>
    SaslAuthenticationFailed = 58,

    /// <summary>Security is not enabled on this listener, or the security feature asked for is off.</summary>
    SecurityDisabled = 54,

    /// <summary>The resource asked for (a user's credential, say) does not exist.</summary>
    ResourceNotFound = 91,

    /// <summary>The same resource appears twice in one request.</summary>
    DuplicateResource = 92,

    /// <summary>A credential was refused: an empty user name, or iterations out of range.</summary>
    UnacceptableCredential = 93,
}
