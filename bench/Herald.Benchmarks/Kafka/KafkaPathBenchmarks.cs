using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Herald.Broker;
using Herald.Kafka;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Storage;

namespace Herald.Benchmarks.Kafka;

/// <summary>
/// The broker's Kafka hot path over an in-memory transport: Produce requests (acks=1, one 100-record batch of 100 B
/// each) or Fetch responses (64 KiB each from a filled partition), from request bytes in to response bytes out, on a
/// broker with real files. Each invocation sends <see cref="Requests"/> requests one after another and is reported per
/// request; the harness's own state machines are pooled, so the MemoryDiagnoser column is the server's.
/// </summary>
[MemoryDiagnoser]
public class KafkaPathBenchmarks
{
    private const int Requests = 64;

    private readonly Pipe _toServer = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 0));
    private HeraldBroker _broker = null!;
    private KafkaServer _server = null!;
    private Task _serving = Task.CompletedTask;
    private byte[] _produce = [];
    private byte[] _fetch = [];
    private string _directory = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        // Real files (the in-memory file system copies on growth); the transport is what is in memory.
        _directory = Storage.StorageBenchmarkData.NewDirectory("kafka-path");
        _broker = await HeraldBroker.StartAsync(new BrokerOptions { DataDirectory = _directory });
        _broker.CreateTopic("produced", 1);
        _broker.CreateTopic("fetched", 1);
        _server = KafkaServer.Start(_broker, new KafkaServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0) });
        _serving = _server.ServeAsync(new Transport(_toServer.Reader, _toClient.Writer), "benchmark");

        var batch = Batch(100, 100);
        for (var i = 0; i < 1000; i++)
        {
            await _broker.ProduceAsync("fetched", 0, batch.ToArray());
        }

        _produce = Frame(ProduceRequest.ApiKey, 9, new ProduceRequest
        {
            Acks = 1,
            TimeoutMs = 30_000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = "produced", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        });
        _fetch = Frame(FetchRequest.ApiKey, 12, new FetchRequest
        {
            ReplicaId = -1,
            MaxBytes = 64 * 1024,
            SessionEpoch = -1,
            Topics = [new FetchRequest.FetchTopic { Topic = "fetched", Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 64 * 1024 }] }],
        });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _serving;
        await _server.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Requests)]
    public ValueTask Produce() => ExchangeAsync(_produce);

    [Benchmark(OperationsPerInvoke = Requests)]
    public ValueTask Fetch() => ExchangeAsync(_fetch);

    // Pooled, so the harness's own state machine is not counted as the server's allocation.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExchangeAsync(byte[] frame)
    {
        for (var i = 0; i < Requests; i++)
        {
            await _toServer.Writer.WriteAsync(frame);
            await ReadResponseAsync();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadResponseAsync()
    {
        while (true)
        {
            var read = await _toClient.Reader.ReadAsync();
            var buffer = read.Buffer;
            if (buffer.Length >= 4 && buffer.Length >= 4 + ReadSize(buffer))
            {
                _toClient.Reader.AdvanceTo(buffer.GetPosition(4 + ReadSize(buffer)));
                return;
            }

            _toClient.Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static int ReadSize(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    private static Memory<byte> Batch(int records, int size)
    {
        using var builder = new RecordBatchBuilder();
        var value = new byte[size];
        for (var i = 0; i < records; i++)
        {
            builder.Add(1_700_000_000_000 + i, null, value);
        }

        return builder.ToArray();
    }

    private static byte[] Frame(short apiKey, short version, IKafkaMessage body)
    {
        using var writer = new KafkaWriter();
        writer.WriteInt32(0);
        writer.WriteInt16(apiKey);
        writer.WriteInt16(version);
        writer.WriteInt32(1);
        writer.WriteNullableString("bench", compact: false);
        if (version >= ApiCatalog.Find(apiKey)!.FlexibleFrom)
        {
            writer.WriteUnsignedVarint(0);
        }

        body.Write(writer, version);
        BinaryPrimitives.WriteInt32BigEndian(writer.WrittenSpan, writer.Length - 4);
        return writer.WrittenSpan.ToArray();
    }

    private sealed record Transport(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
