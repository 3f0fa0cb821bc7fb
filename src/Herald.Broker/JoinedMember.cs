namespace Herald.Broker;

/// <summary>A member as the leader sees it in its join result.</summary>
internal sealed record JoinedMember(string MemberId, string? GroupInstanceId, byte[] Metadata);
