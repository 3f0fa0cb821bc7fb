namespace Herald.Broker;

/// <summary>The answer to a join: the generation, the chosen protocol, the leader, and (for the leader only) the members.</summary>
internal sealed record JoinGroupResult(ErrorCode Error, int GenerationId, string? ProtocolName, string LeaderId, string MemberId, IReadOnlyList<JoinedMember> Members)
{
    internal static JoinGroupResult Failed(ErrorCode error, string memberId = "") => new(error, -1, null, "", memberId, []);
}
