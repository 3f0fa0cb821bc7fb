using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Storage;
using Herald.Testing;

namespace Herald.Compatibility.Tests;

/// <summary>
/// What a hostile or unlucky client could do to a real <c>herald serve</c>, tried again the way it was first found: raw
/// Kafka frames on a socket, the server's memory read from /proc. Each case failed before its fix (see docs/operations.md
/// for the limits). kill -9 mid-produce is <see cref="CrashTests"/>.
/// </summary>
[Trait("Category", "Hostile")]
public sealed class HostileClientTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const long BaseTime = 1_700_000_000_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_poisoned_batch_is_refused_and_every_reader_gets_past_it()
    {
        await ExternalTools.EnsureInstalledAsync();
        await using var herald = await ServedHerald.StartAsync();
        using var client = await RawClient.ConnectAsync(herald.EndPoint);
        await CreateTopicsAsync(client, ("poison", 1));

        // A record whose value length is -9, in a batch whose CRC is right: stored before, it stalled kcat for good.
        var poisoned = Poisoned();
        var old = await ProduceAsync(client, "poison", poisoned, version: 3);
        var current = await ProduceAsync(client, "poison", poisoned, version: 9);

        Assert.Equal(2, old.ErrorCode); // CORRUPT_MESSAGE, what clients before Produce v8 know
        Assert.Equal(87, current.ErrorCode); // INVALID_RECORD
        Assert.Contains("value length -9", current.ErrorMessage, StringComparison.Ordinal);

        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = herald.Bootstrap, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("poison", new Message<Null, string> { Value = $"good {i}" });
            }
        }

        var kcat = await ExternalTools.RunAsync("kcat", ["-b", herald.Bootstrap, "-C", "-t", "poison", "-o", "beginning", "-e", "-q"], timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"good {i}"), Lines(kcat.Output));
        var cli = await herald.Program.RunAsync(null, "consume", "poison", "--server", herald.Bootstrap);
        Assert.Equal(0, cli.ExitCode);
        Assert.Equal(10, Lines(cli.Output).Length);
    }

    [Fact]
    public async Task A_gzip_bomb_is_refused_and_lookups_over_one_already_stored_take_no_memory()
    {
        await using var herald = await ServedHerald.StartAsync();
        using (var client = await RawClient.ConnectAsync(herald.EndPoint))
        {
            await CreateTopicsAsync(client, ("bombed", 1));
            var refused = await ProduceAsync(client, "bombed", GzipBomb(256 * MiB, BaseTime), version: 9);
            Assert.Equal(10, refused.ErrorCode); // MESSAGE_TOO_LARGE: it would decompress past the limit
            Assert.Contains("decompress to more than", refused.ErrorMessage, StringComparison.Ordinal);
            Assert.Equal(0, (await ProduceAsync(client, "bombed", Plain(BaseTime), version: 9)).ErrorCode);
        }

        // As an older version would have stored it: a 1 GiB bomb at offset 1, laid into the segment by hand.
        await herald.StopAsync();
        StoreUnchecked(Path.Combine(herald.DataDirectory, "bombed-0"), GzipBomb(1024 * MiB, BaseTime + 10), baseOffset: 1);
        await herald.StartAgainAsync();
        var before = await herald.SettledResidentBytesAsync();

        // Regression: 512 lookups over 32 connections took the server from about 100 MB to 2.4 GB, and it kept that.
        var peak = 0L;
        var lookups = Enumerable.Range(0, 32).Select(async _ =>
        {
            using var client = await RawClient.ConnectAsync(herald.EndPoint);
            for (var i = 0; i < 16; i++)
            {
                var found = await ListOffsetAsync(client, "bombed", BaseTime + 5);
                Assert.Equal((0, 1L), (found.ErrorCode, found.Offset));
                Interlocked.Exchange(ref peak, Math.Max(Volatile.Read(ref peak), herald.ResidentBytes));
            }
        });
        await Task.WhenAll(lookups).WaitAsync(Timeout);

        var grown = Math.Max(peak, herald.ResidentBytes) - before;
        output.WriteLine($"RSS {before / MiB} MiB before 512 lookups over the bomb, {grown / MiB} MiB more at the peak");
        Assert.True(grown < 160 * MiB, $"the server grew by {grown / MiB} MiB during 512 lookups over a 1 GiB bomb");
    }

    [Fact]
    public async Task Huge_and_partial_requests_hold_no_more_than_the_request_budget_and_give_it_back()
    {
        await using var herald = await ServedHerald.StartAsync("--partial-request-timeout", "6s");
        using (var warm = await RawClient.ConnectAsync(herald.EndPoint))
        {
            await CreateTopicsAsync(warm, ("warm", 1));
        }

        var before = await herald.SettledResidentBytesAsync();

        // Regression: ten connections sending 100 MiB prefixes and 50 MiB of body took the server from 96 to 621 MB,
        // and it kept that after they closed.
        var peak = 0L;
        using var stop = new CancellationTokenSource();
        var clients = new List<RawClient>();
        var sending = new List<Task>();
        for (var i = 0; i < 10; i++)
        {
            var client = await RawClient.ConnectAsync(herald.EndPoint);
            clients.Add(client);
            sending.Add(SendPartialAsync(client, prefix: 100 * MiB, body: 50 * MiB, stop.Token));
        }

        for (var i = 0; i < 16; i++)
        {
            await Task.Delay(250);
            peak = Math.Max(peak, herald.ResidentBytes);
        }

        output.WriteLine($"RSS {before / MiB} MiB before ten partial 100 MiB requests, {(peak - before) / MiB} MiB more at the peak");
        Assert.True(peak - before < 280 * MiB, $"the server grew by {(peak - before) / MiB} MiB holding partial requests (budget 200 MiB)");

        // They are closed once their requests have taken longer than the partial-request timeout.
        var closed = await Task.WhenAll(clients.Select(c => c.ReceiveAsync(Timeout)));
        Assert.All(closed, Assert.Null);
        await stop.CancelAsync();
        await Task.WhenAll(sending.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        clients.ForEach(c => c.Dispose());

        var after = await herald.SettledResidentBytesAsync();
        output.WriteLine($"RSS {(after - before) / MiB} MiB above the start once they were closed");
        Assert.True(after - before < 48 * MiB, $"the server kept {(after - before) / MiB} MiB after the partial requests were gone");

        // A prefix beyond socket.request.max.bytes is refused before anything is read or allocated for it.
        using var tooLarge = await RawClient.ConnectAsync(herald.EndPoint);
        await tooLarge.SendAsync(Prefix(200 * MiB));
        Assert.Null(await tooLarge.ReceiveAsync(Timeout));
        await AssertServesAsync(herald);
    }

    [Fact]
    public async Task A_thousand_idle_connections_cost_little_and_are_closed_once_idle_too_long()
    {
        await using var herald = await ServedHerald.StartAsync("--connections-max-idle", "8s");
        var before = await herald.SettledResidentBytesAsync();
        var idle = new List<TcpClient>();
        for (var i = 0; i < 1000; i++)
        {
            var connection = new TcpClient();
            await connection.ConnectAsync(herald.EndPoint);
            idle.Add(connection);
        }

        await Task.Delay(1000);
        var grown = herald.ResidentBytes - before;
        output.WriteLine($"RSS {before / MiB} MiB, {grown / MiB} MiB more with 1,000 idle connections");
        Assert.True(grown < 64 * MiB, $"1,000 idle connections took {grown / MiB} MiB");
        await AssertServesAsync(herald); // while they are all open

        var buffer = new byte[1];
        foreach (var connection in idle.Take(20))
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(0, await connection.GetStream().ReadAsync(buffer, wait.Token)); // closed by the server
        }

        idle.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task Connections_past_the_per_address_cap_are_refused_and_others_go_on()
    {
        await using var herald = await ServedHerald.StartAsync("--max-connections-per-ip", "50");
        var open = new List<RawClient>();
        for (var i = 0; i < 50; i++)
        {
            open.Add(await RawClient.ConnectAsync(herald.EndPoint));
        }

        using var refused = await RawClient.ConnectAsync(herald.EndPoint);
        await refused.SendAsync(RawClient.Frame(ApiVersionsRequest.ApiKey, 0, 1, new ApiVersionsRequest(), flexibleHeader: false));
        Assert.Null(await refused.ReceiveAsync(Timeout));
        await herald.WaitForLogAsync("max.connections.per.ip");

        open.ForEach(c => c.Dispose());
        await Task.Delay(500);
        await AssertServesAsync(herald);
    }

    [Fact]
    public async Task A_partition_bomb_is_refused_at_once_and_leaves_nothing_behind()
    {
        await using var herald = await ServedHerald.StartAsync();
        using var client = await RawClient.ConnectAsync(herald.EndPoint);

        // Regression: 2,147,483,647 partitions were opened until file descriptors ran out (79 s), leaving 19,895
        // directories that outlived restarts, with nothing logged and the connection dropped.
        var started = DateTime.UtcNow;
        var bomb = Assert.Single(await CreateTopicsAsync(client, ("bomb", int.MaxValue)));
        var spread = await CreateTopicsAsync(client, ("spread-a", 5000), ("spread-b", 5000), ("spread-c", 5000));

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(37, bomb.ErrorCode); // INVALID_PARTITIONS
        Assert.All(spread, t => Assert.Equal(44, t.ErrorCode)); // POLICY_VIOLATION: 15,000 in one request
        Assert.Empty(Directory.GetDirectories(herald.DataDirectory, "bomb-*"));
        Assert.Empty(Directory.GetDirectories(herald.DataDirectory, "spread-*"));

        await herald.RestartAfterKillAsync();
        Assert.Empty(Directory.GetDirectories(herald.DataDirectory, "bomb-*"));
        await AssertServesAsync(herald);
    }

    [NeedsRootFact]
    public async Task A_full_disk_refuses_produce_with_a_storage_error_keeps_acknowledged_data_readable_and_recovers()
    {
        using var disk = SmallFileSystem.Mount(megabytes: 20);
        File.WriteAllBytes(Path.Combine(disk.Path, "filler"), new byte[8 * MiB]);
        await using var herald = await ServedHerald.StartAsync(new HeraldProgram(Path.Combine(disk.Path, "data")));
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = herald.Bootstrap }).Build())
        {
            await admin.CreateTopicsAsync([
                new Confluent.Kafka.Admin.TopicSpecification { Name = "full", NumPartitions = 1, ReplicationFactor = 1 },
                new Confluent.Kafka.Admin.TopicSpecification { Name = "spare", NumPartitions = 1, ReplicationFactor = 1 },
            ]);
        }

        // Regression: appends failed silently, then the partition stopped, and consumers read 0 of 189,026 acknowledged
        // messages until a restart.
        var value = new string('x', 1000);
        var acknowledged = 0;
        var storageErrors = 0;
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = herald.Bootstrap, Acks = Acks.All, MessageSendMaxRetries = 0, MessageTimeoutMs = 10_000, LingerMs = 1 }).Build())
        {
            for (var round = 0; round < 400 && storageErrors == 0; round++)
            {
                var batch = Enumerable.Range(0, 100).Select(_ => producer.ProduceAsync("full", new Message<Null, string> { Value = value })).ToList();
                foreach (var sent in batch)
                {
                    try
                    {
                        await sent;
                        acknowledged++;
                    }
                    catch (ProduceException<Null, string> exception) when (exception.Error.Code == Confluent.Kafka.ErrorCode.KafkaStorageError)
                    {
                        storageErrors++;
                    }
                }
            }
        }

        Assert.True(storageErrors > 0, "the disk never filled");
        Assert.True(acknowledged > 1000, $"only {acknowledged} acknowledged before the disk filled");

        // Everything acknowledged is readable while the disk is still full.
        var consumed = await herald.Program.RunAsync(null, "consume", "full", "--server", herald.Bootstrap);
        Assert.Equal(0, consumed.ExitCode);
        Assert.Equal(acknowledged, Lines(consumed.Output).Length);
        // An admin change that needs the disk is refused as such, not with a dropped connection. The produce loop may
        // have left a few KiB; fill them (the filler file is written anew, so it takes what it had too).
        disk.Fill();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = herald.Bootstrap }).Build())
        {
            var refused = await Assert.ThrowsAsync<Confluent.Kafka.Admin.DeleteTopicsException>(() => admin.DeleteTopicsAsync(["spare"]));
            Assert.Equal(Confluent.Kafka.ErrorCode.KafkaStorageError, refused.Results.Single().Error.Code);
        }

        await herald.WaitForLogAsync("failed and was refused");
        var logged = herald.Log.Count(line => line.Contains("failed and was refused", StringComparison.Ordinal));
        output.WriteLine($"{acknowledged} acknowledged, {storageErrors} refused with KAFKA_STORAGE_ERROR, {logged} log lines about it");
        Assert.InRange(logged, 1, 20); // every failure is counted, at a rate limit

        disk.FreeSpace();
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = herald.Bootstrap, Acks = Acks.All }).Build())
        {
            var after = await producer.ProduceAsync("full", new Message<Null, string> { Value = "after" });
            Assert.Equal(PersistenceStatus.Persisted, after.Status);
            Assert.Equal(acknowledged, after.Offset.Value);
        }

        await herald.StopAsync();
    }

    private static async Task AssertServesAsync(ServedHerald herald)
    {
        var topic = "alive-" + Guid.NewGuid().ToString("N")[..8];
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = herald.Bootstrap, Acks = Acks.All, MessageTimeoutMs = 30_000 }).Build();
        var delivered = await producer.ProduceAsync(topic, new Message<Null, string> { Value = "still here" }).WaitAsync(Timeout);
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        var read = await herald.Program.RunAsync(null, "consume", topic, "--server", herald.Bootstrap);
        Assert.Equal(["still here"], Lines(read.Output));
    }

    private static async Task SendPartialAsync(RawClient client, long prefix, long body, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendAsync(Prefix(prefix), cancellationToken);
            var chunk = new byte[MiB];
            for (long sent = 0; sent < body; sent += chunk.Length)
            {
                await client.SendAsync(chunk, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
        {
            // Closed by the server, or by the test.
        }
    }

    private static byte[] Prefix(long length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, (int)length);
        return prefix;
    }

    private static async Task<List<CreateTopicsResponse.CreatableTopicResult>> CreateTopicsAsync(RawClient client, params (string Name, int Partitions)[] topics)
    {
        var request = new CreateTopicsRequest
        {
            Topics = [.. topics.Select(t => new CreateTopicsRequest.CreatableTopic { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = 1 })],
        };
        var response = await ExchangeAsync(client, CreateTopicsRequest.ApiKey, 4, request, CreateTopicsResponse.Read, flexible: false);
        return response.Topics;
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(RawClient client, string topic, byte[] batch, short version)
    {
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 30_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = topic, PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        };
        var response = await ExchangeAsync(client, ProduceRequest.ApiKey, version, request, ProduceResponse.Read, flexible: version >= ProduceRequest.FlexibleFrom);
        return response.Responses.Single().PartitionResponses.Single();
    }

    private static async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> ListOffsetAsync(RawClient client, string topic, long timestamp)
    {
        var request = new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = topic, Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = timestamp }] }],
        };
        var response = await ExchangeAsync(client, ListOffsetsRequest.ApiKey, 4, request, ListOffsetsResponse.Read, flexible: false);
        return response.Topics.Single().Partitions.Single();
    }

    private static async Task<T> ExchangeAsync<T>(RawClient client, short apiKey, short version, IKafkaMessage request, MessageReader<T> read, bool flexible)
    {
        await client.SendAsync(RawClient.Frame(apiKey, version, 7, request, flexible));
        var response = await client.ReceiveAsync(Timeout) ?? throw new InvalidOperationException("the server closed the connection");
        var reader = new KafkaReader(response.AsMemory(4));
        if (flexible)
        {
            reader.SkipTaggedFields();
        }

        return read(ref reader, version);
    }

    /// <summary>One record, well framed and CRC-checked, whose value length is -9.</summary>
    private static byte[] Poisoned()
    {
        byte[] record = [0x0E, 0x00, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00];
        return Batch(record, recordCount: 1, Herald.Storage.CompressionType.None, BaseTime, baseOffset: 0);
    }

    private static byte[] Plain(long timestamp)
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(timestamp, null, Encoding.UTF8.GetBytes("plain"));
        return builder.ToArray();
    }

    /// <summary>One record whose value is <paramref name="valueBytes"/> zeros, gzipped as it is written, so the test never holds it.</summary>
    private static byte[] GzipBomb(long valueBytes, long timestamp)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            Span<byte> head = stackalloc byte[32];
            var body = 1 + 1 + 1 + 1 + VarintSize(valueBytes) + valueBytes + 1;
            var length = WriteVarint(head, body);
            head[length++] = 0; // attributes
            head[length++] = 0; // timestamp delta
            head[length++] = 0; // offset delta
            head[length++] = 1; // key: null
            length += WriteVarint(head[length..], valueBytes);
            gzip.Write(head[..length]);
            var zeros = new byte[MiB];
            for (long written = 0; written < valueBytes; written += zeros.Length)
            {
                gzip.Write(zeros, 0, (int)Math.Min(zeros.Length, valueBytes - written));
            }

            gzip.WriteByte(0); // no headers
        }

        return Batch(compressed.ToArray(), recordCount: 1, Herald.Storage.CompressionType.Gzip, timestamp, baseOffset: 0);
    }

    private static byte[] Batch(ReadOnlySpan<byte> records, int recordCount, Herald.Storage.CompressionType compression, long timestamp, long baseOffset)
    {
        var batch = new byte[RecordBatchHeader.Size + records.Length];
        new RecordBatchHeader
        {
            BaseOffset = baseOffset,
            BatchLength = batch.Length - RecordBatchHeader.LogOverhead,
            PartitionLeaderEpoch = -1,
            Magic = 2,
            Attributes = (short)compression,
            LastOffsetDelta = recordCount - 1,
            BaseTimestamp = timestamp,
            MaxTimestamp = timestamp,
            ProducerId = -1,
            ProducerEpoch = -1,
            BaseSequence = -1,
            RecordCount = recordCount,
        }.Write(batch);
        records.CopyTo(batch.AsSpan(RecordBatchHeader.Size));
        BinaryPrimitives.WriteUInt32BigEndian(batch.AsSpan(17), RecordBatchHeader.ComputeCrc(batch));
        return batch;
    }

    /// <summary>Appends a batch to a partition's first segment as it is, and leaves the partition to be recovered at the next start.</summary>
    private static void StoreUnchecked(string partition, byte[] batch, long baseOffset)
    {
        RecordBatchHeader.SetBaseOffset(batch, baseOffset);
        using (var segment = new FileStream(Path.Combine(partition, "00000000000000000000.log"), FileMode.Append))
        {
            segment.Write(batch);
        }

        File.Delete(Path.Combine(partition, "clean-shutdown"));
    }

    private static int VarintSize(long value) => WriteVarint(stackalloc byte[10], value);

    private static int WriteVarint(Span<byte> destination, long value)
    {
        var zigzag = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (zigzag >= 0x80)
        {
            destination[i++] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }

        destination[i++] = (byte)zigzag;
        return i;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
