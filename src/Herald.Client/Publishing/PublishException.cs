namespace Herald.Client;

/// <summary>A publish the broker refused, with Kafka's error code.</summary>
public sealed class PublishException(string message, int errorCode, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Kafka's error code, such as 10 for MESSAGE_TOO_LARGE.</summary>
    public int ErrorCode { get; } = errorCode;
}
