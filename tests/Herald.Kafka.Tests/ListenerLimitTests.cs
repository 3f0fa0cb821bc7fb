using System.Buffers.Binary;
using System.Diagnostics;
using Herald.Kafka.Messages;
using Herald.Testing;

namespace Herald.Kafka.Tests;

/// <summary>
/// What one client can hold on the listener. Regression: partial requests were buffered with no global bound and no
/// timeout, so a few connections sending large length prefixes took hundreds of MB and kept them.
/// </summary>
public sealed class ListenerLimitTests() : ListenerTestBase(new KafkaServerOptions
{
    MaxRequestBytes = 4 * 1024 * 1024,
    MaxQueuedRequestBytes = 6 * 1024 * 1024,
    PartialRequestTimeout = TimeSpan.FromMilliseconds(1500),
    ConnectionsMaxIdle = TimeSpan.FromSeconds(1),
    MaxConnections = 8,
    MaxConnectionsPerIp = 5,
})
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_request_that_stalls_partway_is_closed_after_the_partial_request_timeout_and_its_memory_returned()
    {
        using var client = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await client.SendAsync(Prefix(3 * 1024 * 1024));
        await client.SendAsync(new byte[100_000]);
        await WaitUntilAsync(() => Server.QueuedRequestBytes == 3 * 1024 * 1024);

        var started = Stopwatch.StartNew();
        Assert.Null(await client.ReceiveAsync(Timeout)); // closed, not answered
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(6));
        await WaitUntilAsync(() => Server.QueuedRequestBytes == 0);
    }

    [Fact]
    public async Task Requests_wait_while_the_budget_is_spent_and_go_on_once_it_is_returned()
    {
        using var hog = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await hog.SendAsync(Prefix(4 * 1024 * 1024));
        await WaitUntilAsync(() => Server.QueuedRequestBytes == 4 * 1024 * 1024);
        using var other = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await other.SendAsync(Prefix(3 * 1024 * 1024));
        await other.SendAsync(Enumerable.Repeat((byte)0xFF, 3 * 1024 * 1024).ToArray()); // API -1: answered as unknown, once read
        using var small = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await small.SendAsync(ApiVersions(correlationId: 9));

        // Held behind the 3 MiB request that waits for room: never more than the budget is reserved.
        Assert.True(Server.QueuedRequestBytes <= 6 * 1024 * 1024);
        await Task.Delay(200);
        Assert.Equal(4 * 1024 * 1024, Server.QueuedRequestBytes);

        hog.Dispose();
        var answer = await small.ReceiveAsync(Timeout);
        Assert.NotNull(answer);
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(answer));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(await other.ReceiveAsync(Timeout))); // its turn came first
        await WaitUntilAsync(() => Server.QueuedRequestBytes == 0);
    }

    [Fact]
    public async Task A_client_that_does_not_read_its_responses_holds_no_request_memory()
    {
        // Requests are released once parsed, not once answered: otherwise requests stuck behind an unread response would
        // hold the shared budget, and every other client would wait for this one.
        Broker.CreateTopic("big", 1);
        var batch = Batch(records: 100, valueSize: 10_000);
        for (var i = 0; i < 12; i++)
        {
            await Broker.ProduceAsync("big", 0, (byte[])batch.Clone());
        }

        using var stalled = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await stalled.SendAsync(RawClient.Frame(FetchRequest.ApiKey, 4, 1, Fetch("big", maxBytes: 16 * 1024 * 1024), flexibleHeader: false));
        for (var i = 0; i < 3; i++)
        {
            var produce = new ProduceRequest
            {
                Acks = 1,
                TimeoutMs = 1000,
                TopicData = [new ProduceRequest.TopicProduceData { Name = "big", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new byte[3 * 1024 * 1024] }] }],
            };
            await stalled.SendAsync(RawClient.Frame(ProduceRequest.ApiKey, 3, 2 + i, produce, flexibleHeader: false));
        }

        await WaitUntilAsync(() => Server.QueuedRequestBytes == 0);
        using var other = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await other.SendAsync(ApiVersions(correlationId: 9));
        Assert.Equal(9, BinaryPrimitives.ReadInt32BigEndian(await other.ReceiveAsync(Timeout)));
    }

    [Fact]
    public async Task Fetches_waiting_their_turn_behind_an_unread_response_hold_no_request_memory()
    {
        // Regression (found in review): the second fetch took the turn once the first was built, not written, and a
        // large third one then waited for it with its bytes still reserved, for as long as the client did not read.
        Broker.CreateTopic("big", 1);
        var batch = Batch(records: 100, valueSize: 10_000);
        for (var i = 0; i < 12; i++)
        {
            await Broker.ProduceAsync("big", 0, (byte[])batch.Clone());
        }

        using var stalled = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await stalled.SendAsync(RawClient.Frame(FetchRequest.ApiKey, 4, 1, Fetch("big", maxBytes: 16 * 1024 * 1024), flexibleHeader: false));
        await stalled.SendAsync(RawClient.Frame(FetchRequest.ApiKey, 4, 2, Fetch("big", maxBytes: 1024), flexibleHeader: false));
        var many = Fetch("big", maxBytes: 1024);
        many.Topics[0].Partitions = [.. Enumerable.Range(0, 150_000).Select(_ => new FetchRequest.FetchPartition { Partition = 0, PartitionMaxBytes = 1024 })];
        var large = RawClient.Frame(FetchRequest.ApiKey, 4, 3, many, flexibleHeader: false);
        Assert.True(large.Length > 2 * 1024 * 1024);
        await stalled.SendAsync(large);

        await WaitUntilAsync(() => Server.QueuedRequestBytes == 0);
    }

    [Fact]
    public async Task An_idle_connection_is_closed_but_one_waiting_on_a_long_fetch_is_not()
    {
        Broker.CreateTopic("quiet", 1);
        using var idle = await RawClient.ConnectAsync(Server.LocalEndPoint);
        using var fetching = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await fetching.SendAsync(RawClient.Frame(FetchRequest.ApiKey, 4, 5, LongFetch("quiet", waitMs: 2500), flexibleHeader: false));

        Assert.Null(await idle.ReceiveAsync(Timeout));
        var fetched = await fetching.ReceiveAsync(Timeout);
        Assert.NotNull(fetched);
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(fetched));
    }

    [Fact]
    public async Task Connections_beyond_the_per_address_cap_are_closed_at_once_and_admitted_again_when_one_ends()
    {
        var open = new List<RawClient>();
        for (var i = 0; i < 5; i++)
        {
            open.Add(await RawClient.ConnectAsync(Server.LocalEndPoint));
        }

        foreach (var client in open)
        {
            await client.SendAsync(ApiVersions(correlationId: 1));
            Assert.NotNull(await client.ReceiveAsync(Timeout));
        }

        using (var refused = await RawClient.ConnectAsync(Server.LocalEndPoint))
        {
            await refused.SendAsync(ApiVersions(correlationId: 2));
            Assert.Null(await refused.ReceiveAsync(Timeout));
        }

        open[0].Dispose();
        await Task.Delay(300);
        using var admitted = await RawClient.ConnectAsync(Server.LocalEndPoint);
        await admitted.SendAsync(ApiVersions(correlationId: 3));
        Assert.NotNull(await admitted.ReceiveAsync(Timeout));
        open.ForEach(c => c.Dispose());
    }

    private static byte[] Prefix(int length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        return prefix;
    }

    private static byte[] ApiVersions(int correlationId) =>
        RawClient.Frame(ApiVersionsRequest.ApiKey, 0, correlationId, new ApiVersionsRequest(), flexibleHeader: false);

    private static FetchRequest Fetch(string topic, int maxBytes) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = 0,
        MinBytes = 1,
        MaxBytes = maxBytes,
        Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = maxBytes }] }],
    };

    private static byte[] Batch(int records, int valueSize)
    {
        using var builder = new Herald.Storage.RecordBatchBuilder();
        for (var i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000, null, new byte[valueSize]);
        }

        return builder.ToArray();
    }

    private static FetchRequest LongFetch(string topic, int waitMs) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = waitMs,
        MinBytes = 1,
        MaxBytes = 1024 * 1024,
        Topics = [new FetchRequest.FetchTopic { Topic = topic, Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1024 * 1024 }] }],
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < Timeout, "the condition was not met in time");
            await Task.Delay(20);
        }
    }
}
