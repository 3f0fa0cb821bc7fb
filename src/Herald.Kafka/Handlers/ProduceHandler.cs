using System.Runtime.CompilerServices;
using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Handlers;

/// <summary>Produce: appends each partition's record batch, creating unknown topics when allowed.</summary>
internal sealed class ProduceHandler(ClusterView cluster)
{
    private const string NoTransactions = "Herald does not support transactions.";

    // Pooled state machines: a request that waits for its fsync does not allocate one per request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var acks = (Acks)request.Acks;
        var response = new ProduceResponse();
        (ProduceResponse.PartitionProduceResponse Response, ValueTask<ProduceResult> Result)? firstWaiting = null;
        List<(ProduceResponse.PartitionProduceResponse Response, Task<ProduceResult> Result)>? moreWaiting = null;
        foreach (var topic in request.TopicData)
        {
            var topicResponse = new ProduceResponse.TopicProduceResponse { Name = topic.Name };
            response.Responses.Add(topicResponse);
            var topicError = request.TransactionalId is null ? cluster.EnsureTopic(topic.Name, allowCreate: true) : ErrorCode.InvalidRequest;
            foreach (var partition in topic.PartitionData)
            {
                var partitionResponse = new ProduceResponse.PartitionProduceResponse { Index = partition.Index, BaseOffset = -1 };
                topicResponse.PartitionResponses.Add(partitionResponse);
                if (topicError != ErrorCode.None || partition.Records is not { } records)
                {
                    partitionResponse.ErrorCode = (short)(topicError != ErrorCode.None ? topicError : ErrorCode.CorruptMessage);
                    partitionResponse.ErrorMessage = request.TransactionalId is null ? null : NoTransactions;
                    continue;
                }

                // Appended here, in request order, before anything is awaited; only the durability wait comes later.
                var produced = cluster.Broker.ProduceAsync(topic.Name, partition.Index, records, acks, cancellationToken);
                if (produced.IsCompletedSuccessfully)
                {
                    Fill(partitionResponse, produced.Result);
                }
                else if (firstWaiting is null)
                {
                    firstWaiting = (partitionResponse, produced); // the usual case, one partition: awaited without a Task
                }
                else
                {
                    (moreWaiting ??= []).Add((partitionResponse, produced.AsTask()));
                }
            }
        }

        if (firstWaiting is { } first)
        {
            Fill(first.Response, await first.Result.ConfigureAwait(false));
        }

        if (moreWaiting is not null)
        {
            foreach (var (partitionResponse, result) in moreWaiting)
            {
                Fill(partitionResponse, await result.ConfigureAwait(false));
            }
        }

        return acks == Acks.None ? null : response;
    }

    private static void Fill(ProduceResponse.PartitionProduceResponse response, ProduceResult result)
    {
        response.ErrorCode = (short)result.Error;
        response.BaseOffset = result.BaseOffset;
        response.LogStartOffset = result.LogStartOffset;
    }
}
