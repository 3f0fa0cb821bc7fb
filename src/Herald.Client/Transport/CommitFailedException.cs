namespace Herald.Client.Transport;

/// <summary>Offsets could not be committed, usually because the group rebalanced; the records will be redelivered.</summary>
public sealed class CommitFailedException(string message) : Exception(message);
