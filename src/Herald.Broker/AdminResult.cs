namespace Herald.Broker;

/// <summary>The outcome of an admin request: Kafka's error code and, when it failed, a message for people.</summary>
public readonly record struct AdminResult(ErrorCode Error, string? Message = null)
{
    /// <summary>Whether the request succeeded.</summary>
    public bool Succeeded => Error == ErrorCode.None;
}
