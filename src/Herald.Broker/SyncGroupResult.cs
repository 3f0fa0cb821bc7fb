namespace Herald.Broker;

/// <summary>The answer to a sync: this member's assignment from the leader.</summary>
internal sealed record SyncGroupResult(ErrorCode Error, byte[] Assignment);
