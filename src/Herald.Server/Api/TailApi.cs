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
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Server.Api;

/// <summary>
/// <c>GET /api/v1/topics/{topic}/tail</c>: new records as Server-Sent Events (<c>event: record</c>, the record as JSON
/// in <c>data</c>, <c>partition:offset</c> as its <c>id</c>), from the end or a given position, with the browse filters.
/// A client that reads slower than records arrive is cut off once <see cref="HttpOptions.TailBufferEvents"/> wait for
/// it, so the server never holds more than that per tail.
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
            throw ApiException.From(ErrorCode.UnknownTopicOrPartition, $"Partition {only} of '{topic}' does not exist; it has {partitions.Count}.");
        }

        if (offset is not null && time is not null)
        {
            throw ApiException.BadRequest("Give offset or time, not both.");
        }

        var filter = RecordFilter.Parse(key, header, type, contains);
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        var pending = Channel.CreateBounded<StoredRecordJson>(new BoundedChannelOptions(options.TailBufferEvents) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var readers = partitions
            .Where(p => partition is null || p.Partition == partition)
            .Select(p => FollowAsync(b, topic, p.Partition, Start(b, topic, p, offset, time), filter, pending.Writer, cancellation, () =>
            {
                Log.TailCutOff(loggers.CreateLogger("Herald.Server.Tail"), topic, options.TailBufferEvents);
                ServerTelemetry.TailsCutOff.Add(1);
            }))
            .ToList();

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        ServerTelemetry.ActiveTails.Add(1);
        try
        {
            await http.Response.WriteAsync(": tailing " + topic + "\n\n", http.RequestAborted).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
            await WriteAsync(http, pending.Reader, json.Value.SerializerOptions, cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            if (!http.RequestAborted.IsCancellationRequested)
            {
                http.Abort(); // a reader found the buffer full: drop the connection rather than hold more
            }
        }
        catch (IOException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-write.
        }
        finally
        {
            ServerTelemetry.ActiveTails.Add(-1);
            await cancellation.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            cancellation.Dispose();
        }
    }

    private static long Start(HeraldBroker broker, string topic, PartitionDescription p, long? offset, DateTimeOffset? time)
    {
        if (time is { } at)
        {
            var found = broker.ListOffset(topic, p.Partition, OffsetQuery.AtOrAfter(Math.Max(0, at.ToUnixTimeMilliseconds())));
            return found.Offset < 0 ? p.EndOffset : found.Offset;
        }

        return Math.Clamp(offset ?? p.EndOffset, p.StartOffset, p.EndOffset);
    }

    private static async Task WriteAsync(HttpContext http, ChannelReader<StoredRecordJson> pending, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var body = http.Response.BodyWriter;
        while (await pending.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (pending.TryRead(out var record))
            {
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

    private static async Task FollowAsync(HeraldBroker broker, string topic, int partition, long position, RecordFilter filter, ChannelWriter<StoredRecordJson> pending, CancellationTokenSource cancellation, Action cutOff)
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
                    if (filter.Matches(record) && !pending.TryWrite(RecordView.Show(topic, partition, record)))
                    {
                        if (!cancellation.IsCancellationRequested)
                        {
                            cutOff(); // the client is too slow
                            await cancellation.CancelAsync().ConfigureAwait(false);
                        }

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
}
