using System.Buffers.Binary;
using Herald.Broker;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Testing;

namespace Herald.Kafka.Tests;

/// <summary>The listener at the byte level: framing, pipelining, unsupported versions, malformed and oversized requests.</summary>
public sealed class ConnectionTests() : ListenerTestBase(new KafkaServerOptions { MaxRequestBytes = 64 * 1024 })
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ApiVersions_answers_in_every_version_with_a_v0_header(short version)
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        var request = new ApiVersionsRequest { ClientSoftwareName = "raw", ClientSoftwareVersion = "1" };
        await client.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, version, 42, request, flexibleHeader: version >= 3));
        var response = await client.ReceiveAsync();
        Assert.NotNull(response);
        Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(response));

        var reader = new KafkaReader(response.AsMemory(4)); // header v0: no tagged fields, even for v3+
        var versions = ApiVersionsResponse.Read(ref reader, version);
        Assert.Equal(0, versions.ErrorCode);
        Assert.Equal(Server.SupportedApis.Count, versions.ApiKeys.Count);
        Assert.All(versions.ApiKeys, k => Assert.Equal(0, k.MinVersion));
        Assert.Contains(versions.ApiKeys, k => k.ApiKey == FetchRequest.ApiKey && k.MaxVersion == FetchRequest.HighestVersion);
    }

    [Fact]
    public async Task An_unsupported_ApiVersions_version_gets_error_35_in_v0_with_the_supported_range()
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await client.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 99, 7, new ApiVersionsRequest(), flexibleHeader: true));
        var response = await client.ReceiveAsync();
        Assert.NotNull(response);
        var reader = new KafkaReader(response.AsMemory(4));
        var versions = ApiVersionsResponse.Read(ref reader, 0);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, versions.ErrorCode);
        var own = Assert.Single(versions.ApiKeys, k => k.ApiKey == ApiVersionsRequest.ApiKey);
        Assert.Equal(ApiVersionsRequest.HighestVersion, own.MaxVersion);
    }

    [Fact]
    public async Task An_unknown_api_gets_an_error_and_the_connection_stays_open()
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await client.SendAsync(RawClient.Frame(999, 0, 1, null, flexibleHeader: false));
        var unknown = await client.ReceiveAsync();
        Assert.NotNull(unknown);
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(unknown));
        Assert.Equal((short)ErrorCode.UnsupportedVersion, BinaryPrimitives.ReadInt16BigEndian(unknown.AsSpan(4)));

        await client.SendAsync(RawClient.Frame(MetadataRequest.ApiKey, 99, 2, null, flexibleHeader: true));
        var tooNew = await client.ReceiveAsync();
        Assert.NotNull(tooNew);
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(tooNew));

        await client.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 3, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(await client.ReceiveAsync()));
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        var frames = new List<byte>();
        for (var id = 1; id <= 50; id++)
        {
            frames.AddRange(id % 2 == 0
                ? RawClient.Frame(MetadataRequest.ApiKey, 1, id, new MetadataRequest { Topics = null }, flexibleHeader: false)
                : RawClient.Frame(ApiVersionsRequest.ApiKey, 0, id, new ApiVersionsRequest(), flexibleHeader: false));
        }

        await client.SendAsync([.. frames]);
        for (var id = 1; id <= 50; id++)
        {
            var response = await client.ReceiveAsync();
            Assert.NotNull(response);
            Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(response));
        }
    }

    [Fact]
    public async Task Two_hundred_connections_are_served_at_once()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => RawClient.ConnectAsync(Server.LocalEndPoint)));
        try
        {
            await Task.WhenAll(clients.Select(async (client, i) =>
            {
                for (var request = 0; request < 5; request++)
                {
                    var id = (i * 10) + request;
                    await client.SendAsync(RawClient.Frame(MetadataRequest.ApiKey, 9, id, new MetadataRequest { Topics = null }, flexibleHeader: true));
                    var response = await client.ReceiveAsync();
                    Assert.NotNull(response);
                    Assert.Equal(id, BinaryPrimitives.ReadInt32BigEndian(response));
                }
            }));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_produce_with_acks_0_gets_no_response()
    {
        Broker.CreateTopic("quiet", 1);
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        var batch = Batch("fire and forget");
        var produce = new ProduceRequest
        {
            Acks = 0,
            TimeoutMs = 1000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = "quiet", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        };
        await client.SendAsync([.. RawClient.Frame(ProduceRequest.ApiKey, 7, 1, produce, flexibleHeader: false), .. RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 2, new ApiVersionsRequest(), flexibleHeader: false)]);
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(await client.ReceiveAsync()));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Broker.ListOffset("quiet", 0, OffsetQuery.Latest).Offset < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20); // acks=0 is not waited on: the record becomes visible at the next flush
        }

        Assert.Equal(1, Broker.ListOffset("quiet", 0, OffsetQuery.Latest).Offset);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(64 * 1024 + 1)]
    [InlineData(int.MaxValue)]
    public async Task A_frame_of_impossible_size_closes_only_that_connection(int size)
    {
        using var bystander = await RawClient.ConnectAsync(Server.LocalEndPoint);
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, size);
        await client.SendAsync(prefix);
        Assert.Null(await client.ReceiveAsync());

        await bystander.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 9, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(await bystander.ReceiveAsync()));
    }

    [Fact]
    public async Task A_truncated_body_closes_the_connection_and_stores_nothing()
    {
        Broker.CreateTopic("intact", 1);
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        var batch = Batch("x");
        var produce = new ProduceRequest { Acks = -1, TopicData = [new ProduceRequest.TopicProduceData { Name = "intact", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }] };
        var frame = RawClient.Frame(ProduceRequest.ApiKey, 7, 1, produce, flexibleHeader: false);

        // Cut the record set short but keep the frame size consistent: the body, not the framing, is malformed.
        var cut = frame.AsSpan(0, frame.Length - 10).ToArray();
        BinaryPrimitives.WriteInt32BigEndian(cut, cut.Length - 4);
        await client.SendAsync(cut);
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(0, Broker.ListOffset("intact", 0, OffsetQuery.Latest).Offset);
    }

    [Fact]
    public async Task A_client_that_never_reads_does_not_hold_up_others()
    {
        using var flooder = await RawClient.ConnectAsync(Server.LocalEndPoint);
        var request = RawClient.Frame(MetadataRequest.ApiKey, 1, 1, new MetadataRequest { Topics = null }, flexibleHeader: false);
        using var sending = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var flood = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await flooder.SendAsync(request).WaitAsync(sending.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The server stopped reading: its in-flight bound and the unread responses pushed back.
            }
        });

        using var other = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await other.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 5, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(await other.ReceiveAsync()));
        await flood;
        Assert.True(sending.IsCancellationRequested, "the flooding client was never pushed back");
    }

    private static byte[] Batch(string value)
    {
        using var builder = new Storage.RecordBatchBuilder();
        builder.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, System.Text.Encoding.UTF8.GetBytes(value));
        return builder.ToArray();
    }
}
