namespace Herald.Broker;

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
internal sealed record MemberJoinRequest(
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
