using System.Buffers.Binary;
using Herald.Broker;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Storage;
using Herald.Testing;

namespace Herald.Kafka.Tests;

/// <summary>Handler behaviour that real clients depend on but rarely exercise: odd requests get Kafka's answers.</summary>
public sealed class HandlerTests() : ListenerTestBase(new KafkaServerOptions { MaxFetchBytes = 64 * 1024 })
{
    [Fact]
    public async Task Fetch_by_an_unknown_topic_id_answers_with_an_empty_record_set_not_null()
    {
        var request = new FetchRequest
        {
            ReplicaId = -1,
            MaxBytes = 1024,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { TopicId = Guid.NewGuid(), Partitions = [new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1024 }] }],
        };
        var response = await SendAsync(request, FetchRequest.ApiKey, 16, FetchResponse.Read);
        var partition = response.Responses.Single().Partitions.Single();
        Assert.Equal((short)ErrorCode.UnknownTopicId, partition.ErrorCode);
        Assert.NotNull(partition.Records);
        Assert.Equal(0, partition.Records.Value.Length);
    }

    [Fact]
    public async Task Fetch_answers_a_repeated_partition_once_and_caps_the_response_size()
    {
        Broker.CreateTopic("bulk", 1);
        for (var i = 0; i < 20; i++)
        {
            await Broker.ProduceAsync("bulk", 0, Batch(new string('x', 10_000)));
        }

        var partitions = Enumerable.Range(0, 1000).Select(_ => new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = int.MaxValue }).ToList();
        var request = new FetchRequest { ReplicaId = -1, MaxBytes = int.MaxValue, SessionEpoch = -1, Topics = [new FetchRequest.FetchTopic { Topic = "bulk", Partitions = partitions }] };
        var response = await SendAsync(request, FetchRequest.ApiKey, 11, FetchResponse.Read);
        var answered = response.Responses.Single().Partitions.Single();
        Assert.Equal(0, answered.ErrorCode);
        Assert.InRange(answered.Records!.Value.Length, 10_000, (64 * 1024) + 10_100); // the cap, plus the one whole batch that may cross it
    }

    [Fact]
    public async Task CreateTopics_with_a_repeated_config_is_refused_for_that_topic()
    {
        var request = new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic
            {
                Name = "twice",
                NumPartitions = 1,
                ReplicationFactor = 1,
                Configs = [new() { Name = "retention.ms", Value = "1000" }, new() { Name = "retention.ms", Value = "2000" }],
            }],
        };
        var response = await SendAsync(request, CreateTopicsRequest.ApiKey, 5, CreateTopicsResponse.Read);
        Assert.Equal((short)ErrorCode.InvalidConfig, response.Topics.Single().ErrorCode);
        Assert.Null(Broker.DescribeTopic("twice"));
    }

    [Fact]
    public async Task ListOffsets_by_time_and_max_timestamp_give_the_records_time()
    {
        Broker.CreateTopic("times", 1);
        await Broker.ProduceAsync("times", 0, Batch("a", timestamp: 5_000));
        await Broker.ProduceAsync("times", 0, Batch("b", timestamp: 9_000));
        await Broker.ProduceAsync("times", 0, Batch("c", timestamp: 7_000));
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic
            {
                Name = "times",
                Partitions = [new() { PartitionIndex = 0, Timestamp = 6_000 }, new() { PartitionIndex = 0, Timestamp = -3 }],
            }],
        };
        var partitions = (await SendAsync(request, ListOffsetsRequest.ApiKey, 7, ListOffsetsResponse.Read)).Topics.Single().Partitions;
        Assert.Equal([(1L, 9_000L), (1L, 9_000L)], partitions.Select(p => (p.Offset, p.Timestamp)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_topic_name_that_is_not_utf8_or_too_long_to_echo_closes_only_that_connection(bool tooLong)
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        if (tooLong)
        {
            // 32,760 ASCII bytes read fine, and the error message that echoes them cannot be written with an int16 length.
            var configs = new DescribeConfigsRequest { Resources = [new() { ResourceType = 2, ResourceName = new string('a', 32_760) }] };
            await client.SendAsync(RawClient.Frame(DescribeConfigsRequest.ApiKey, 1, 1, configs, flexibleHeader: false));
        }
        else
        {
            // Metadata v1 for one topic whose name is 11,000 bytes of 0xFF: not UTF-8.
            using var writer = new KafkaWriter();
            writer.WriteInt32(1);
            writer.WriteInt16(11_000);
            writer.WriteRaw(Enumerable.Repeat((byte)0xFF, 11_000).ToArray());
            var frame = RawClient.Frame(MetadataRequest.ApiKey, 1, 1, null, flexibleHeader: false);
            byte[] whole = [.. frame, .. writer.WrittenSpan];
            BinaryPrimitives.WriteInt32BigEndian(whole, whole.Length - 4);
            await client.SendAsync(whole);
        }

        Assert.Null(await client.ReceiveAsync());
        using var other = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await other.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 2, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(await other.ReceiveAsync()));
    }

    [Fact]
    public async Task Produce_and_fetch_answer_each_request_afresh_though_their_message_objects_are_reused()
    {
        Broker.CreateTopic("small", 1);
        Broker.CreateTopic("wide", 2);
        for (var round = 0; round < 3; round++)
        {
            // A wide transactional produce fills every list and error message of the pooled objects it is read into...
            var wide = new ProduceRequest
            {
                TransactionalId = "tx",
                Acks = -1,
                TopicData = [Topic("wide", 0, 1), Topic("small", 0)],
            };
            var refused = await SendAsync(wide, ProduceRequest.ApiKey, 9, ProduceResponse.Read);
            Assert.Equal(3, refused.Responses.Sum(t => t.PartitionResponses.Count));
            Assert.All(refused.Responses.SelectMany(t => t.PartitionResponses), p => Assert.NotNull(p.ErrorMessage));

            // ...an acks=0 request gets no response and must still give its objects back...
            using (var client = await RawClient.ConnectAsync(Server.LocalEndPoint))
            {
                await client.SendAsync(RawClient.Frame(ProduceRequest.ApiKey, 9, 7, new ProduceRequest { Acks = 0, TopicData = [Topic("wide", 1)] }, flexibleHeader: true));
                await client.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 8, new ApiVersionsRequest(), flexibleHeader: false));
                Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(await client.ReceiveAsync()));
            }

            // ...and the next, narrow requests are answered as if the objects were new.
            var produced = await SendAsync(new ProduceRequest { Acks = -1, TopicData = [Topic("small", 0)] }, ProduceRequest.ApiKey, 9, ProduceResponse.Read);
            var partition = produced.Responses.Single().PartitionResponses.Single();
            Assert.Equal(("small", 0, (short)0, null, (long)round), (produced.Responses[0].Name, partition.Index, partition.ErrorCode, partition.ErrorMessage, partition.BaseOffset));

            var wideFetch = new FetchRequest
            {
                ReplicaId = -1,
                MaxBytes = 1 << 20,
                SessionEpoch = -1,
                Topics = [FetchTopic("wide", 0, 1), FetchTopic("small", 0), FetchTopic("missing", 3)],
            };
            var wideAnswer = await SendAsync(wideFetch, FetchRequest.ApiKey, 12, FetchResponse.Read);
            Assert.Equal(4, wideAnswer.Responses.Sum(t => t.Partitions.Count));
            Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, wideAnswer.Responses[2].Partitions.Single().ErrorCode);

            var fetched = await SendAsync(new FetchRequest { ReplicaId = -1, MaxBytes = 1 << 20, SessionEpoch = -1, Topics = [FetchTopic("small", 0)] }, FetchRequest.ApiKey, 12, FetchResponse.Read);
            var answer = fetched.Responses.Single().Partitions.Single();
            Assert.Equal(("small", 0, (short)0, round + 1L), (fetched.Responses[0].Topic, answer.PartitionIndex, answer.ErrorCode, answer.HighWatermark));
            Assert.Equal(round + 1, RecordBatchReader.ReadAll(answer.Records!.Value).Sum(b => b.Records.Count));
        }

        ProduceRequest.TopicProduceData Topic(string name, params int[] partitions) =>
            new() { Name = name, PartitionData = [.. partitions.Select(p => new ProduceRequest.PartitionProduceData { Index = p, Records = Batch("e") })] };

        static FetchRequest.FetchTopic FetchTopic(string name, params int[] partitions) =>
            new() { Topic = name, Partitions = [.. partitions.Select(p => new FetchRequest.FetchPartition { Partition = p, PartitionMaxBytes = 1 << 20 })] };
    }

    private async Task<T> SendAsync<T>(IKafkaMessage request, short apiKey, short version, MessageReader<T> read)
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await client.SendAsync(RawClient.Frame(apiKey, version, 1, request, flexibleHeader: version >= ApiCatalog.Find(apiKey)!.FlexibleFrom));
        var response = await client.ReceiveAsync();
        Assert.NotNull(response);
        var reader = new KafkaReader(response);
        Assert.Equal(1, reader.ReadInt32());
        if (version >= ApiCatalog.Find(apiKey)!.FlexibleFrom)
        {
            Assert.Equal(0, reader.ReadUnsignedVarint()); // response header v1: no tagged fields
        }

        return read(ref reader, version);
    }

    private static byte[] Batch(string value, long timestamp = 1_700_000_000_000)
    {
        using var builder = new Storage.RecordBatchBuilder();
        builder.Add(timestamp, null, System.Text.Encoding.UTF8.GetBytes(value));
        return builder.ToArray();
    }
}
