using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;

namespace Herald.Kafka.Handlers;

/// <summary>ApiVersions, InitProducerId and SASL, which Herald does not enable yet.</summary>
internal sealed class SessionHandlers(ClusterView cluster, Func<IReadOnlyList<KafkaApi>> apis)
{
    public ApiVersionsResponse ApiVersions(RequestContext context, ApiVersionsRequest request) => new()
    {
        ApiKeys = [.. apis().Select(api => new ApiVersionsResponse.ApiVersion { ApiKey = api.Key, MinVersion = api.MinVersion, MaxVersion = api.MaxVersion })],
    };

    public InitProducerIdResponse InitProducerId(RequestContext context, InitProducerIdRequest request)
    {
        if (request.TransactionalId is not null)
        {
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.TransactionalIdAuthorizationFailed, ProducerId = -1, ProducerEpoch = -1 };
        }

        // Without a transactional id Kafka always hands out a new producer id, even when the client names its old one.
        var (producerId, epoch) = cluster.Broker.InitProducerId();
        return new InitProducerIdResponse { ProducerId = producerId, ProducerEpoch = epoch };
    }

    public SaslHandshakeResponse SaslHandshake(RequestContext context, SaslHandshakeRequest request) => new()
    {
        ErrorCode = (short)ErrorCode.UnsupportedSaslMechanism,
        Mechanisms = [],
    };

    public SaslAuthenticateResponse SaslAuthenticate(RequestContext context, SaslAuthenticateRequest request) => new()
    {
        ErrorCode = (short)ErrorCode.IllegalSaslState,
        ErrorMessage = "Herald has no SASL mechanism enabled.",
    };
}
