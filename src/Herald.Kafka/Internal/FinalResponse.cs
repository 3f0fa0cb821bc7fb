using Herald.Kafka.Protocol;

namespace Herald.Kafka.Internal;

/// <summary>A response after which the connection closes, as Kafka closes one after a failed authentication.</summary>
internal sealed class FinalResponse(IKafkaMessage response) : IKafkaMessage
{
    public IKafkaMessage Response { get; } = response;

    public void Write(KafkaWriter writer, short version) => Response.Write(writer, version);
}
