namespace Herald.Kafka.Protocol;

/// <summary>Reads a generated message body in one version's layout.</summary>
public delegate T MessageReader<out T>(ref KafkaReader reader, short version);
