using Herald.Kafka.Protocol;

namespace Herald.Kafka.Internal;

/// <summary>An API Herald answers, the versions it accepts, and its handler.</summary>
internal sealed record KafkaApi(short Key, string Name, short MinVersion, short MaxVersion, RequestHandler Handle)
{
    /// <summary>Binds a generated request reader to a handler.</summary>
    public static KafkaApi Create<TRequest>(
        short key,
        string name,
        short maxVersion,
        MessageReader<TRequest> read,
        Func<RequestContext, TRequest, CancellationToken, ValueTask<IKafkaMessage?>> handle) =>
        new(key, name, 0, maxVersion, (context, body, strings, cancellationToken) =>
        {
            var reader = new KafkaReader(body, strings);
            var request = read(ref reader, context.ApiVersion);
            return handle(context, request, cancellationToken);
        });

    /// <summary>Binds a generated request reader to a handler that answers at once.</summary>
    public static KafkaApi Create<TRequest>(short key, string name, short maxVersion, MessageReader<TRequest> read, Func<RequestContext, TRequest, IKafkaMessage> handle) =>
        Create<TRequest>(key, name, maxVersion, read, (context, request, _) => ValueTask.FromResult<IKafkaMessage?>(handle(context, request)));
}
