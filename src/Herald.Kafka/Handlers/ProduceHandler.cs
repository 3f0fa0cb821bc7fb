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

    /// <summary>Reads the request into a reused exchange, which the connection disposes once the response is written.</summary>
    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, Memory<byte> body, Utf8StringCache strings, CancellationToken cancellationToken) =>
        HandleAsync(ProduceExchange.Read(body, strings, context.ApiVersion), context.ApiVersion, cancellationToken);

    // Pooled state machines: a request that waits for its fsync does not allocate one per request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IKafkaMessage?> HandleAsync(ProduceExchange exchange, short version, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var acks = (Acks)request.Acks;
        var response = exchange.Response;
        response.ThrottleTimeMs = 0;
        response.NodeEndpoints = null;
        var topicCount = 0;
        foreach (var topic in request.TopicData)
        {
            var topicResponse = response.Responses.Slot(topicCount++);
            topicResponse.Name = topic.Name;
            var topicError = request.TransactionalId is null ? cluster.EnsureTopic(topic.Name, allowCreate: true) : ErrorCode.InvalidRequest;
            var partitionCount = 0;
            foreach (var partition in topic.PartitionData)
            {
                var partitionResponse = Begin(topicResponse.PartitionResponses.Slot(partitionCount++), partition.Index);
                if (topicError != ErrorCode.None || partition.Records is not { } records)
                {
                    partitionResponse.ErrorCode = (short)(topicError != ErrorCode.None ? topicError : ErrorCode.CorruptMessage);
                    partitionResponse.ErrorMessage = request.TransactionalId is null ? null : NoTransactions;
                    continue;
                }

                // Appended here, in request order, before anything is awaited; only the durability wait comes later.
                // The request's bytes go back to the connection once this method first waits, so nothing keeps them.
                var produced = cluster.Broker.ProduceAsync(topic.Name, partition.Index, records, acks, cancellationToken);
                partition.Records = null;
                if (produced.IsCompletedSuccessfully)
                {
                    Fill(partitionResponse, produced.Result, version);
                }
                else
                {
                    exchange.Waiting.Add((partitionResponse, produced));
                }
            }

            topicResponse.PartitionResponses.TrimTo(partitionCount);
        }

        response.Responses.TrimTo(topicCount);
        foreach (var (partitionResponse, result) in exchange.Waiting)
        {
            Fill(partitionResponse, await result.ConfigureAwait(false), version); // each awaited once, as pooled sources require
        }

        if (acks == Acks.None)
        {
            exchange.Dispose(); // no response, so the connection has nothing to dispose
            return null;
        }

        return exchange;
    }

    /// <summary>Sets every field of a reused partition response to what a new one would answer.</summary>
    private static ProduceResponse.PartitionProduceResponse Begin(ProduceResponse.PartitionProduceResponse response, int index)
    {
        response.Index = index;
        response.ErrorCode = 0;
        response.BaseOffset = -1;
        response.LogAppendTimeMs = -1;
        response.LogStartOffset = -1;
        response.RecordErrors.Clear();
        response.ErrorMessage = null;
        response.CurrentLeader = null;
        return response;
    }

    private static void Fill(ProduceResponse.PartitionProduceResponse response, ProduceResult result, short version)
    {
        // INVALID_RECORD came with Produce v8 (KIP-467); older clients know the same refusal as CORRUPT_MESSAGE.
        var error = result.Error == ErrorCode.InvalidRecord && version < 8 ? ErrorCode.CorruptMessage : result.Error;
        response.ErrorCode = (short)error;
        response.ErrorMessage = result.Message;
        response.BaseOffset = result.BaseOffset;
        response.LogStartOffset = result.LogStartOffset;
    }

    /// <summary>A produce request, its response and the appends still waiting for durability.</summary>
    internal sealed class ProduceExchange : Exchange<ProduceExchange>
    {
        private const int KeptPartitions = 256;

        public ProduceRequest Request { get; } = new();

        public ProduceResponse Response { get; } = new();

        public List<(ProduceResponse.PartitionProduceResponse Response, ValueTask<ProduceResult> Result)> Waiting { get; } = [];

        protected override bool WorthKeeping
        {
            get
            {
                var partitions = 0;
                foreach (var topic in Response.Responses)
                {
                    partitions += topic.PartitionResponses.Count;
                }

                return partitions <= KeptPartitions;
            }
        }

        public override void Write(KafkaWriter writer, short version) => Response.Write(writer, version);

        protected override void ReadRequest(ref KafkaReader reader, short version) => Request.ReadFrom(ref reader, version);

        protected override void Release()
        {
            Waiting.Clear();
            foreach (var topic in Request.TopicData)
            {
                foreach (var partition in topic.PartitionData)
                {
                    partition.Records = null; // the frame they point into goes back to the pool
                }
            }
        }
    }
}
