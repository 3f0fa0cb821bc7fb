using Herald.Kafka.Protocol;

namespace Herald.Kafka.Internal;

/// <summary>Answers one request: parses its body and returns the response, or null when none is sent (acks=0).</summary>
internal delegate ValueTask<IKafkaMessage?> RequestHandler(RequestContext context, Memory<byte> body, Utf8StringCache strings, CancellationToken cancellationToken);
