using System.ComponentModel;
using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Herald.Broker;
using Herald.Server.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api;

/// <summary>
/// <c>GET /api/v1/topics/{topic}/tail</c>: new records as Server-Sent Events (<c>event: record</c>, the record as JSON
/// in <c>data</c>, <c>partition:offset</c> as its <c>id</c>), from the end or a given position, with the browse filters.
/// A client that reads slower than records arrive is cut off once <see cref="HttpOptions.TailBufferEvents"/> or
/// <see cref="HttpOptions.TailBufferBytes"/> wait for it, so the server never holds more than that per tail.
/// </summary>
internal static class TailApi
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(15);
    private const int ChunkBytes = 256 * 1024;

    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/topics/{topic}/tail", TailAsync)
            .WithTags("Browse")
            .WithSummary("Streams records as they arrive, as Server-Sent Events, with the browse filters; a client too slow to keep up is disconnected.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task TailAsync(
        HttpContext http,
        BrokerService broker,
        HttpOptions options,
        IOptions<JsonOptions> json,
        ILoggerFactory loggers,
        IHostApplicationLifetime lifetime,
        TailSlots slots,
        [Description("The topic.")] string topic,
        [Description("Only this partition; all when left out.")] int? partition = null,
        [Description("Start at this offset in each partition tailed; the end (only new records) when left out.")] long? offset = null,
        [Description("Start at the first record at or after this ISO 8601 time.")] DateTimeOffset? time = null,
        [Description("Only records with exactly this key.")] string? key = null,
        [Description("Only records with this header: NAME, or NAME:VALUE.")] string? header = null,
        [Description("Only CloudEvents of this type.")] string? type = null,
        [Description("Only records whose value contains this text, ignoring case.")] string? contains = null)
    {
        var b = broker.Broker;
        var partitions = b.DescribePartitions(topic) ?? throw ApiException.UnknownTopic(topic);
        if (partition is { } only && (only < 0 || only >= partitions.Count))
        {
            throw ApiException.UnknownPartition(topic, only, partitions.Count);
        }

        if (offset is not null && time is not null)
        {
            throw ApiException.BadRequest("Give offset or time, not both.");
        }

        var filter = RecordFilter.Parse(key, header, type, contains);
        if (!slots.TryTake())
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Unavailable", $"{options.MaxTails} live tails are open, the most this server allows (HttpOptions.MaxTails); try again later.");
        }

        try
        {
            await TailFromAsync(http, b, options, json, loggers, lifetime, topic, partitions, partition, offset, time, filter).ConfigureAwait(false);
        }
        finally
        {
            slots.Give();
        }
    }

    private static async Task TailFromAsync(HttpContext http, HeraldBroker b, HttpOptions options, IOptions<JsonOptions> json, ILoggerFactory loggers, IHostApplicationLifetime lifetime, string topic, IReadOnlyList<PartitionDescription> partitions, int? partition, long? offset, DateTimeOffset? time, RecordFilter filter)
    {
        var starts = partitions.Where(p => partition is null || p.Partition == partition).Select(p => (p.Partition, Start(b, topic, p, offset, time))).ToList();

        // Ends with the client, with the server's shutdown, or when a reader finds the client too slow to keep up.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var tail = new TailState(options.TailBufferBytes);
        var pending = Channel.CreateBounded<StoredRecordJson>(new BoundedChannelOptions(options.TailBufferEvents) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var readers = new List<Task>();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        ServerTelemetry.ActiveTails.Add(1);
        try
        {
            foreach (var (number, position) in starts)
            {
                readers.Add(FollowAsync(b, topic, number, position, filter, pending.Writer, tail, cancellation));
            }

            // When every reader has stopped (the topic was deleted, say), the stream ends rather than idling for ever.
            _ = Task.WhenAll(readers).ContinueWith(done => pending.Writer.TryComplete(done.Exception?.GetBaseException()), TaskScheduler.Default);
            await http.Response.WriteAsync(": tailing " + topic + "\n\n", cancellation.Token).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(cancellation.Token).ConfigureAwait(false);
            await WriteAsync(http, pending.Reader, tail, json.Value.SerializerOptions, cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            if (tail.CutOff)
            {
                Log.TailCutOff(loggers.CreateLogger("Herald.Server.Tail"), topic, options.TailBufferEvents);
                ServerTelemetry.TailsCutOff.Add(1);
                http.Abort(); // drop the connection rather than hold more for it
            }
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested || (http.Response.HasStarted && readers.Any(r => r.IsFaulted)))
        {
            // The client went away mid-write, or a reader failed: the stream ends here.
        }
        finally
        {
            ServerTelemetry.ActiveTails.Add(-1);
            await cancellation.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    private static long Start(HeraldBroker broker, string topic, PartitionDescription p, long? offset, DateTimeOffset? time) =>
        time is { } at ? Positions.AtOrAfter(broker, topic, p, at) : Positions.Within(p, offset ?? p.EndOffset);

    private static async Task WriteAsync(HttpContext http, ChannelReader<StoredRecordJson> pending, TailState tail, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var body = http.Response.BodyWriter;
        while (await pending.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (pending.TryRead(out var record))
            {
                tail.Release(record);
                body.Write(Encoding.UTF8.GetBytes($"id: {record.Partition}:{record.Offset}\nevent: record\ndata: "));
                using (var writer = new Utf8JsonWriter(body))
                {
                    JsonSerializer.Serialize(writer, record, json);
                }

                body.Write("\n\n"u8);
            }

            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task FollowAsync(HeraldBroker broker, string topic, int partition, long position, RecordFilter filter, ChannelWriter<StoredRecordJson> pending, TailState tail, CancellationTokenSource cancellation)
    {
        var token = cancellation.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var chunk = await broker.ReadRecordsAsync(topic, partition, position, ChunkBytes, LongPoll, token).ConfigureAwait(false);
                if (chunk.Error != ErrorCode.None)
                {
                    break; // the topic was deleted, say: this partition has nothing more to tail
                }

                foreach (var record in chunk.Records)
                {
                    if (!filter.Matches(record))
                    {
                        continue;
                    }

                    var shown = RecordView.Show(topic, partition, record);
                    if (!tail.TryHold(shown) || !pending.TryWrite(shown))
                    {
                        tail.CutOff = true; // the client is too slow
                        await cancellation.CancelAsync().ConfigureAwait(false);
                        return;
                    }
                }

                if (chunk.Unreadable is not null && chunk.NextOffset <= position)
                {
                    break; // a damaged batch whose length cannot be trusted: nothing past it can be tailed
                }

                position = Math.Max(position, chunk.NextOffset);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>What one tail holds for its client: records (bounded by count in the channel) and their bytes.</summary>
    private sealed class TailState(long maxBytes)
    {
        private long _bytes;
        private volatile bool _cutOff;

        public bool CutOff
        {
            get => _cutOff;
            set => _cutOff = value;
        }

        public bool TryHold(StoredRecordJson record) => Interlocked.Add(ref _bytes, Size(record)) <= maxBytes;

        public void Release(StoredRecordJson record) => Interlocked.Add(ref _bytes, -Size(record));

        // The value shown may be base64 (a third larger); keys and headers are small beside a value worth counting.
        private static long Size(StoredRecordJson record) => (record.ValueBytes * 4 / 3) + 256;
    }
}
