namespace Herald.Client;

/// <summary>What happens to an event whose handler failed.</summary>
public enum FailureAction
{
    /// <summary>Retry with backoff, then dead-letter.</summary>
    RetryThenDeadLetter,

    /// <summary>Dead-letter at once (the failure is permanent, like a validation error).</summary>
    DeadLetter,

    /// <summary>Drop the event, with a warning.</summary>
    Discard,
}
