namespace Herald.Kafka.Protocol;

/// <summary>A generated Kafka request or response body.</summary>
public interface IKafkaMessage
{
    /// <summary>Writes the body in <paramref name="version"/>'s layout.</summary>
    void Write(KafkaWriter writer, short version);
}
