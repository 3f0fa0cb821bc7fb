using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Handlers;

/// <summary>Produce: appends each partition's record batch, creating unknown topics when allowed.</summary>
internal sealed class ProduceHandler(ClusterView cluster)
{
    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var acks = (Acks)request.Acks;
        var pending = new List<(ProduceResponse.PartitionProduceResponse Response, Task<ProduceResult> Result)>();
        var response = new ProduceResponse();
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            var (topicError, _) = request.TransactionalId is null ? cluster.FindOrCreate(topic.Name, allowCreate: true) : (ErrorCode.InvalidRequest, null);
            foreach (var partition in topic.PartitionData)
            {
                var partitionResponse = new ProduceResponse.PartitionProduceResponse { Index = partition.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(partitionResponse);
                if (topicError != ErrorCode.None || partition.Records is not { } records)
                {
                    partitionResponse.ErrorCode = (short)(topicError != ErrorCode.None ? topicError : ErrorCode.CorruptMessage);
                    partitionResponse.ErrorMessage = request.TransactionalId is null ? null : "Herald does not support transactions.";
                    continue;
                }

                // Started in request order: each append happens before ProduceAsync first awaits, so batches keep their order.
                pending.Add((partitionResponse, cluster.Broker.ProduceAsync(topic.Name, partition.Index, records, acks, cancellationToken).AsTask()));
            }
        }

        foreach (var (partitionResponse, task) in pending)
        {
            var result = await task.ConfigureAwait(false);
            partitionResponse.ErrorCode = (short)result.Error;
            partitionResponse.BaseOffset = result.BaseOffset;
            partitionResponse.LogStartOffset = result.LogStartOffset;
        }

        return acks == Acks.None ? null : response;
    }
}
