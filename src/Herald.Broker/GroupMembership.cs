namespace Herald.Broker;

/// <summary>A protocol a member supports (for consumers: an assignor such as "range"), with its metadata.</summary>
public sealed record GroupProtocol(string Name, byte[] Metadata);

/// <summary>A member's request to join a group (Kafka's JoinGroup, classic protocol).</summary>
/// <param name="GroupId">The group.</param>
/// <param name="MemberId">Empty on the first join; then the id the broker gave.</param>
/// <param name="GroupInstanceId">The static member id (group.instance.id), or null for a dynamic member.</param>
/// <param name="ProtocolType">"consumer" for consumers; every member must agree.</param>
/// <param name="Protocols">The protocols the member supports, in its order of preference.</param>
/// <param name="SessionTimeout">How long without a heartbeat before the member is removed.</param>
/// <param name="RebalanceTimeout">How long a rebalance waits for the member to rejoin.</param>
/// <param name="RequireKnownMemberId">JoinGroup v4+: a new dynamic member first gets <see cref="ErrorCode.MemberIdRequired"/> and its id.</param>
/// <param name="ClientId">The client id, for describe.</param>
/// <param name="ClientHost">The client address, for describe.</param>
public sealed record JoinGroupRequest(
    string GroupId,
    string MemberId,
    string? GroupInstanceId,
    string ProtocolType,
    IReadOnlyList<GroupProtocol> Protocols,
    TimeSpan SessionTimeout,
    TimeSpan RebalanceTimeout,
    bool RequireKnownMemberId = true,
    string ClientId = "",
    string ClientHost = "");

/// <summary>A member as the leader sees it in its join result.</summary>
public sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);

/// <summary>The answer to a join: the generation, the chosen protocol, the leader, and (for the leader only) the members.</summary>
public sealed record JoinGroupResult(ErrorCode Error, int GenerationId, string? ProtocolName, string LeaderId, string MemberId, IReadOnlyList<JoinedMember> Members)
{
    internal static JoinGroupResult Failed(ErrorCode error, string memberId = "") => new(error, -1, null, "", memberId, []);
}

/// <summary>The answer to a sync: this member's assignment from the leader.</summary>
public sealed record SyncGroupResult(ErrorCode Error, byte[] Assignment);

/// <summary>A member as describe shows it.</summary>
public sealed record GroupMemberDescription(string MemberId, string? GroupInstanceId, string ClientId, string ClientHost, byte[] Metadata, byte[] Assignment);
