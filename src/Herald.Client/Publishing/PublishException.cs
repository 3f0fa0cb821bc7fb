using Herald.Broker;

namespace Herald.Client;

/// <summary>A publish the broker refused, with Kafka's error code.</summary>
public sealed class PublishException(string message, ErrorCode errorCode, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Kafka's error code, such as <see cref="ErrorCode.MessageTooLarge"/> (10).</summary>
    public ErrorCode ErrorCode { get; } = errorCode;
}
