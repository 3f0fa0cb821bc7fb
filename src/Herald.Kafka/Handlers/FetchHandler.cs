using System.Runtime.CompilerServices;
using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Handlers;

/// <summary>Fetch: whole stored batches per partition, long-polling until min bytes arrive or max wait passes.</summary>
internal sealed class FetchHandler(ClusterView cluster)
{
    /// <summary>Reads the request into a reused exchange, which the connection disposes once the response is written.</summary>
    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, Memory<byte> body, Utf8StringCache strings, CancellationToken cancellationToken) =>
        HandleAsync(context, FetchExchange.Read(body, strings, context.ApiVersion), cancellationToken);

    // The request is parsed before the first wait, so the connection has its bytes back while this fetch waits its turn.
    // A fetch that answers holds the turn until the connection has written its response; one that fails gives it back.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, FetchExchange exchange, CancellationToken cancellationToken)
    {
        try
        {
            await context.FetchTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            exchange.Dispose();
            throw;
        }

        try
        {
            return await FetchAsync(context, exchange, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            exchange.Dispose();
            context.FetchTurn.Release();
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IKafkaMessage?> FetchAsync(RequestContext context, FetchExchange exchange, CancellationToken cancellationToken)
    {
        var request = exchange.Request;
        var response = exchange.Response;
        response.ThrottleTimeMs = 0;
        response.ErrorCode = 0;
        response.SessionId = 0;
        response.NodeEndpoints = null;
        var byId = context.ApiVersion >= 13;
        var seen = request.Topics.Count > 1 || (request.Topics.Count == 1 && request.Topics[0].Partitions.Count > 1) ? exchange.Seen : null;
        var topicCount = 0;
        foreach (var topic in request.Topics)
        {
            var name = byId ? cluster.NameById(topic.TopicId) : topic.Topic;
            var topicResponse = response.Responses.Slot(topicCount++);
            topicResponse.Topic = topic.Topic;
            topicResponse.TopicId = topic.TopicId;
            var partitionCount = 0;
            foreach (var partition in topic.Partitions)
            {
                if (name is not null && seen is not null && !seen.Add((name, partition.Partition)))
                {
                    continue; // Kafka keeps fetch partitions in a map: a repeat is the same partition, answered once
                }

                var answer = Begin(topicResponse.Partitions.Slot(partitionCount++), partition.Partition, context.ApiVersion);
                if (name is null)
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicId;
                    continue;
                }

                exchange.Batch.Add(name, partition.Partition, partition.FetchOffset, partition.PartitionMaxBytes, exchange.NextBuffer());
                exchange.Answers.Add(answer);
            }

            topicResponse.Partitions.TrimTo(partitionCount);
        }

        response.Responses.TrimTo(topicCount);
        var maxBytes = Math.Min(request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes, cluster.Options.MaxFetchBytes);
        await cluster.Broker.FetchAsync(exchange.Batch, maxBytes, TimeSpan.FromMilliseconds(Math.Clamp(request.MaxWaitMs, 0, cluster.Options.MaxFetchWait.TotalMilliseconds)), request.MinBytes, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < exchange.Batch.Count; i++)
        {
            var result = exchange.Batch[i];
            var answer = exchange.Answers[i];
            answer.ErrorCode = (short)result.Error;
            answer.HighWatermark = result.HighWatermark;
            answer.LastStableOffset = result.HighWatermark; // no transactions: everything below the high watermark is stable
            answer.LogStartOffset = result.LogStartOffset;
            answer.Records = exchange.Buffer(i).WrittenMemory;
        }

        return exchange;
    }

    /// <summary>Sets every field of a reused partition answer to what a new one would say before the fetch.</summary>
    private static FetchResponse.PartitionData Begin(FetchResponse.PartitionData answer, int partition, short version)
    {
        answer.PartitionIndex = partition;
        answer.ErrorCode = 0;
        answer.HighWatermark = -1;
        answer.LastStableOffset = -1;
        answer.LogStartOffset = -1;
        answer.DivergingEpoch = null;
        answer.CurrentLeader = null;
        answer.SnapshotId = null;
        answer.PreferredReadReplica = -1;
        if (version >= 4)
        {
            (answer.AbortedTransactions ??= []).Clear();
        }
        else
        {
            answer.AbortedTransactions = null;
        }

        // librdkafka refuses a whole response holding a null record set, so every partition gets an empty one.
        answer.Records = Memory<byte>.Empty;
        return answer;
    }

    /// <summary>A fetch request, its response, the broker fetch behind it and the pooled buffers its record sets live in.</summary>
    internal sealed class FetchExchange : Exchange<FetchExchange>
    {
        private const int KeptPartitions = 256;
        private readonly List<KafkaWriter> _buffers = [];
        private int _buffersUsed;

        public FetchRequest Request { get; } = new();

        public FetchResponse Response { get; } = new();

        public FetchBatch Batch { get; } = new();

        /// <summary>The partition answers, in the order of <see cref="Batch"/>.</summary>
        public List<FetchResponse.PartitionData> Answers { get; } = [];

        public HashSet<(string Topic, int Partition)> Seen { get; } = [];

        protected override bool WorthKeeping => _buffers.Count <= KeptPartitions;

        /// <summary>A buffer for the next partition's batches, in the order of <see cref="Batch"/>.</summary>
        public KafkaWriter NextBuffer()
        {
            if (_buffersUsed == _buffers.Count)
            {
                _buffers.Add(new KafkaWriter(4096));
            }

            return _buffers[_buffersUsed++];
        }

        public KafkaWriter Buffer(int index) => _buffers[index];

        public override void Write(KafkaWriter writer, short version) => Response.Write(writer, version);

        protected override void ReadRequest(ref KafkaReader reader, short version) => Request.ReadFrom(ref reader, version);

        protected override void Release()
        {
            for (var i = 0; i < _buffersUsed; i++)
            {
                _buffers[i].Dispose(); // back to the array pool; the writer rents again when next written to
            }

            _buffersUsed = 0;
            foreach (var topic in Response.Responses)
            {
                foreach (var partition in topic.Partitions)
                {
                    partition.Records = Memory<byte>.Empty;
                }
            }

            Batch.Clear();
            Answers.Clear();
            Seen.Clear();
        }
    }
}
