using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Handlers;

/// <summary>ApiVersions, InitProducerId, and SASL authentication, which each connection's session carries out.</summary>
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

    public IKafkaMessage SaslHandshake(RequestContext context, SaslHandshakeRequest request)
    {
        var response = context.Session.Handshake(request.Mechanism, context.ApiVersion, out var close);
        return close ? new FinalResponse(response) : response;
    }

    public ValueTask<IKafkaMessage?> SaslAuthenticate(RequestContext context, SaslAuthenticateRequest request, CancellationToken cancellationToken)
    {
        var response = context.Session.Authenticate(request.AuthBytes, out var failed);
        return failed ? AnswerFailureAsync(response, cancellationToken) : ValueTask.FromResult<IKafkaMessage?>(response);
    }

    // Slows down guessing: a failed attempt is answered late, then the connection closes.
    private async ValueTask<IKafkaMessage?> AnswerFailureAsync(SaslAuthenticateResponse response, CancellationToken cancellationToken)
    {
        await Task.Delay(cluster.Options.FailedAuthenticationDelay, cancellationToken).ConfigureAwait(false);
        return new FinalResponse(response);
    }
}
