using Herald.Broker;
using Herald.Kafka.Internal;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;

namespace Herald.Kafka.Handlers;

/// <summary>Fetch: whole stored batches per partition, long-polling until min bytes arrive or max wait passes.</summary>
internal sealed class FetchHandler(ClusterView cluster)
{
    public async ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var byId = context.ApiVersion >= 13;
        var response = new FetchResponse();
        var wanted = new List<Herald.Broker.FetchPartition>(1);
        var requested = 0;
        foreach (var topic in request.Topics)
        {
            requested += topic.Partitions.Count;
        }

        var seen = requested > 1 ? new HashSet<(string, int)>() : null;
        var answers = new List<FetchResponse.PartitionData>(1);
        foreach (var topic in request.Topics)
        {
            var name = byId ? cluster.NameById(topic.TopicId) : topic.Topic;
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            response.Responses.Add(topicResponse);
            foreach (var partition in topic.Partitions)
            {
                if (name is not null && seen is not null && !seen.Add((name, partition.Partition)))
                {
                    continue; // Kafka keeps fetch partitions in a map: a repeat is the same partition, answered once
                }

                // librdkafka refuses a whole response holding a null record set, so every partition gets an empty one.
                var answer = new FetchResponse.PartitionData
                {
                    PartitionIndex = partition.Partition,
                    HighWatermark = -1,
                    LastStableOffset = -1,
                    LogStartOffset = -1,
                    AbortedTransactions = context.ApiVersion >= 4 ? [] : null,
                    Records = Memory<byte>.Empty,
                };
                topicResponse.Partitions.Add(answer);
                if (name is null)
                {
                    answer.ErrorCode = (short)ErrorCode.UnknownTopicId;
                    continue;
                }

                var buffer = response.RentBuffer();
                wanted.Add(new Herald.Broker.FetchPartition(name, partition.Partition, partition.FetchOffset, partition.PartitionMaxBytes, buffer));
                answers.Add(answer);
            }
        }

        var maxBytes = Math.Min(request.MaxBytes <= 0 ? int.MaxValue : request.MaxBytes, cluster.Options.MaxFetchBytes);
        var results = await cluster.Broker.FetchAsync(wanted, maxBytes, TimeSpan.FromMilliseconds(Math.Max(0, request.MaxWaitMs)), request.MinBytes, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var answer = answers[i];
            answer.ErrorCode = (short)result.Error;
            answer.HighWatermark = result.HighWatermark;
            answer.LastStableOffset = result.HighWatermark; // no transactions: everything below the high watermark is stable
            answer.LogStartOffset = result.LogStartOffset;
            answer.Records = ((KafkaWriter)wanted[i].Destination).WrittenMemory;
        }

        return response;
    }
}
