using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using CsCheck;
using Herald.Broker;
using Herald.Kafka;
using Herald.Kafka.Messages;
using Herald.Kafka.Protocol;
using Herald.Storage;
using Microsoft.Extensions.Logging;

namespace Herald.Testing;

/// <summary>
/// The request path under attack: frames built from every API's codec at every version, then mutated the way a
/// structure-aware fuzzer does (bit flips, boundary values over lengths and counts, cuts, insertions, repeats), sent on
/// a short connection of their own. After each input the connection must have ended cleanly, nothing may have failed
/// inside the server, and every byte of request memory must be back in the budget.
/// </summary>
internal sealed class RequestFuzzer : IAsyncDisposable
{
    private static readonly TimeSpan InputTimeout = TimeSpan.FromSeconds(30);
    private static readonly int[] BoundaryInts = [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x10000, int.MaxValue, int.MinValue, 1 << 30];

    private readonly ErrorLog _errors;
    private long _inputs;

    private RequestFuzzer(HeraldBroker broker, KafkaServer server, ErrorLog errors, ILoggerFactory loggers)
    {
        Broker = broker;
        Server = server;
        _errors = errors;
        Loggers = loggers;
        Corpus = BuildCorpus();
    }

    public HeraldBroker Broker { get; }

    public KafkaServer Server { get; }

    public ILoggerFactory Loggers { get; }

    /// <summary>Well-formed frames (size prefix included): every request type at every version, some with real content.</summary>
    public IReadOnlyList<byte[]> Corpus { get; }

    /// <summary>What went wrong inside the server: error-level log entries, which only bugs produce.</summary>
    public IReadOnlyCollection<string> Errors => _errors.Entries;

    /// <summary>Inputs run so far.</summary>
    public long InputsRun => Volatile.Read(ref _inputs);

    /// <summary>An in-memory broker with a listener on a loopback port, so a real client can be tried afterwards.</summary>
    public static async Task<RequestFuzzer> StartAsync()
    {
        var errors = new ErrorLog();
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(errors));
        var broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true, MaxPartitions = 200, MaxPartitionsPerRequest = 50 }, loggers);
        broker.CreateTopic("orders", 2);
        var server = KafkaServer.Start(broker, new KafkaServerOptions { Listen = new IPEndPoint(IPAddress.Loopback, 0), MaxRequestBytes = 1024 * 1024, MaxQueuedRequestBytes = 8 * 1024 * 1024, MaxFetchWait = TimeSpan.FromSeconds(1) }, loggers);
        return new RequestFuzzer(broker, server, errors, loggers);
    }

    /// <summary>One to four frames, each a corpus frame with up to four mutations; mostly with its size prefix corrected.</summary>
    public Gen<byte[][]> Inputs() => Frame().Array[1, 4];

    /// <summary>Sends one input on a connection of its own and checks what the server did with it.</summary>
    public async Task RunAsync(byte[][] frames)
    {
        Interlocked.Increment(ref _inputs);
        var toServer = new Pipe();
        var toClient = new Pipe();
        var serving = Server.ServeAsync(new Duplex(toServer.Reader, toClient.Writer), "fuzz");
        var reading = DrainAsync(toClient.Reader);
        foreach (var frame in frames)
        {
            await toServer.Writer.WriteAsync(frame);
        }

        await toServer.Writer.CompleteAsync();
        await serving.WaitAsync(InputTimeout); // throws when the connection loop threw, or hangs past the timeout
        await reading.WaitAsync(InputTimeout);
        if (!_errors.IsEmpty)
        {
            throw new InvalidOperationException($"The server logged an error for input {Describe(frames)}: {string.Join(" | ", _errors.Entries)}");
        }
    }

    /// <summary>Checks, once every input is done, that no request memory is held.</summary>
    public void AssertSettled()
    {
        if (Server.QueuedRequestBytes != 0)
        {
            throw new InvalidOperationException($"{Server.QueuedRequestBytes} bytes of request memory were never given back.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Broker.DisposeAsync();
        Loggers.Dispose();
    }

    private Gen<byte[]> Frame() =>
        Gen.Select(Gen.Int[0, Corpus.Count - 1], Mutation().Array[0, 4], Gen.Int[0, 9]).Select((index, mutations, keepPrefix) =>
        {
            var body = Corpus[index].AsSpan(4).ToArray();
            foreach (var mutate in mutations)
            {
                body = mutate(body);
            }

            var frame = new byte[body.Length + 4];
            BinaryPrimitives.WriteInt32BigEndian(frame, keepPrefix == 0 ? BinaryPrimitives.ReadInt32BigEndian(Corpus[index]) : body.Length);
            body.CopyTo(frame.AsSpan(4));
            return frame;
        });

    private static Gen<Func<byte[], byte[]>> Mutation() => Gen.OneOf<Func<byte[], byte[]>>(
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 7]).Select((at, bit) => (Func<byte[], byte[]>)(b => Each(b, at, (copy, i) => copy[i] ^= (byte)(1 << bit)))),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte).Select((at, value) => (Func<byte[], byte[]>)(b => Each(b, at, (copy, i) => copy[i] = value))),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, BoundaryInts.Length - 1], Gen.Bool).Select((at, which, wide) => (Func<byte[], byte[]>)(b => Overwrite(b, at, BoundaryInts[which], wide ? 4 : 2))),
        Gen.Int[0, int.MaxValue].Select(at => (Func<byte[], byte[]>)(b => b.Length == 0 ? b : b[..(at % b.Length)])),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 16]).Select((at, bytes) => (Func<byte[], byte[]>)(b => [.. b.AsSpan(0, at % (b.Length + 1)), .. bytes, .. b.AsSpan(at % (b.Length + 1))])),
        Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[1, 64]).Select((at, length) => (Func<byte[], byte[]>)(b =>
        {
            var start = b.Length == 0 ? 0 : at % b.Length;
            var slice = b.AsSpan(start, Math.Min(length, b.Length - start));
            return [.. b.AsSpan(0, start), .. slice, .. slice, .. b.AsSpan(start + slice.Length)];
        })));

    private static byte[] Each(byte[] body, int at, Action<byte[], int> change)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var copy = (byte[])body.Clone();
        change(copy, at % copy.Length);
        return copy;
    }

    private static byte[] Overwrite(byte[] body, int at, int value, int width)
    {
        if (body.Length < width)
        {
            return body;
        }

        var copy = (byte[])body.Clone();
        var position = at % (copy.Length - width + 1);
        if (width == 4)
        {
            BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(position), value);
        }
        else
        {
            BinaryPrimitives.WriteInt16BigEndian(copy.AsSpan(position), (short)value);
        }

        return copy;
    }

    private static async Task DrainAsync(PipeReader responses)
    {
        while (true)
        {
            var read = await responses.ReadAsync();
            var buffer = read.Buffer;
            while (buffer.Length >= 4)
            {
                var size = BinaryPrimitives.ReadInt32BigEndian(buffer.Slice(0, 4).ToArray());
                if (size < 4 || size > 64 * 1024 * 1024)
                {
                    throw new InvalidOperationException($"The server framed a response of {size} bytes.");
                }

                if (buffer.Length < 4 + size)
                {
                    break;
                }

                buffer = buffer.Slice(4 + size);
            }

            responses.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted)
            {
                await responses.CompleteAsync();
                return;
            }
        }
    }

    private static string Describe(byte[][] frames) =>
        string.Join(", ", frames.Select(f => Convert.ToHexString(f.AsSpan(0, Math.Min(f.Length, 48))) + (f.Length > 48 ? $"...({f.Length} bytes)" : string.Empty)));

    private static List<byte[]> BuildCorpus()
    {
        var frames = new List<byte[]>();
        var correlation = 0;
        foreach (var (message, key, highest, flexibleFrom) in Requests())
        {
            for (short version = 0; version <= highest + 1; version++)
            {
                try
                {
                    frames.Add(Frame(key, version, ++correlation, message, version >= flexibleFrom));
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    // A field this version cannot carry: that version's frame is left out.
                }
            }
        }

        return frames;
    }

    private static IEnumerable<(IKafkaMessage Message, short Key, short Highest, short FlexibleFrom)> Requests()
    {
        var batch = Batch();
        yield return (new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 1000,
            TopicData = [new ProduceRequest.TopicProduceData { Name = "orders", PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = batch }] }],
        }, ProduceRequest.ApiKey, ProduceRequest.HighestVersion, ProduceRequest.FlexibleFrom);
        yield return (new FetchRequest
        {
            MaxWaitMs = 100,
            MinBytes = 1,
            MaxBytes = 1024 * 1024,
            Topics = [new FetchRequest.FetchTopic { Topic = "orders", Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 65536 }] }],
        }, FetchRequest.ApiKey, FetchRequest.HighestVersion, FetchRequest.FlexibleFrom);
        yield return (new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics = [new ListOffsetsRequest.ListOffsetsTopic { Name = "orders", Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = 1_700_000_000_000 }] }],
        }, ListOffsetsRequest.ApiKey, ListOffsetsRequest.HighestVersion, ListOffsetsRequest.FlexibleFrom);
        yield return (new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "orders" }] }, MetadataRequest.ApiKey, MetadataRequest.HighestVersion, MetadataRequest.FlexibleFrom);
        yield return (new CreateTopicsRequest
        {
            Topics = [new CreateTopicsRequest.CreatableTopic { Name = "fuzzed", NumPartitions = 3, ReplicationFactor = 1, Configs = [new CreateTopicsRequest.CreatableTopicConfig { Name = "retention.ms", Value = "60000" }] }],
        }, CreateTopicsRequest.ApiKey, CreateTopicsRequest.HighestVersion, CreateTopicsRequest.FlexibleFrom);

        // Every other request as its defaults make it.
        foreach (var type in typeof(ProduceRequest).Assembly.GetTypes().Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal) && typeof(IKafkaMessage).IsAssignableFrom(t) && !t.IsNested))
        {
            if (type == typeof(ProduceRequest) || type == typeof(FetchRequest) || type == typeof(ListOffsetsRequest) || type == typeof(MetadataRequest) || type == typeof(CreateTopicsRequest))
            {
                continue;
            }

            var key = (short)type.GetField("ApiKey")!.GetValue(null)!;
            var highest = (short)type.GetField("HighestVersion")!.GetValue(null)!;
            var flexible = (short)type.GetField("FlexibleFrom")!.GetValue(null)!;
            yield return ((IKafkaMessage)Activator.CreateInstance(type)!, key, highest, flexible);
        }
    }

    private static byte[] Batch()
    {
        using var builder = new RecordBatchBuilder();
        builder.Add(1_700_000_000_000, Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes("value"), [new RecordHeader("h", Encoding.UTF8.GetBytes("v"))]);
        builder.Add(1_700_000_000_001, null, Encoding.UTF8.GetBytes("second"));
        return builder.ToArray();
    }

    private static byte[] Frame(short apiKey, short version, int correlationId, IKafkaMessage body, bool flexibleHeader)
    {
        using var writer = new KafkaWriter();
        writer.WriteInt32(0);
        writer.WriteInt16(apiKey);
        writer.WriteInt16(version);
        writer.WriteInt32(correlationId);
        writer.WriteNullableString("fuzz", compact: false);
        if (flexibleHeader)
        {
            writer.WriteUnsignedVarint(0);
        }

        body.Write(writer, version);
        BinaryPrimitives.WriteInt32BigEndian(writer.WrittenSpan, writer.Length - 4);
        return writer.WrittenSpan.ToArray();
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    /// <summary>Keeps error-level entries: a handler that threw, a response that could not be written.</summary>
    private sealed class ErrorLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public bool IsEmpty => _entries.IsEmpty;

        public IReadOnlyCollection<string> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ErrorLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    log._entries.Enqueue($"{category}[{eventId.Id}] {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
