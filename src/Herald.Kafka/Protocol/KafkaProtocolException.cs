namespace Herald.Kafka.Protocol;

/// <summary>A request or response does not follow the Kafka protocol: it is truncated, or a length is impossible.</summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
