namespace Herald.Client;

/// <summary>How a handler's run ended: after how many attempts, with which failure (null when handled), and when it first failed.</summary>
internal sealed record HandlerOutcome(int Attempts, Exception? Failure, DateTimeOffset? FirstFailure);
