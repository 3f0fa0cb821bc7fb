using System.ComponentModel;
using System.Buffers;
using System.Text;
using Herald.Broker;
using Herald.Server.Internal;
using Herald.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Herald.Server.Api;

/// <summary>
/// <c>POST /api/v1/topics/{topic}/records</c>: produce one record or a batch, as plain JSON or as CloudEvents (structured,
/// batch or binary mode). Durable before the answer unless <c>acks</c> says otherwise, as on Kafka.
/// </summary>
internal static class ProduceApi
{
    private static int _sticky;

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/topics/{topic}/records", ProduceAsync)
            .WithTags("Produce")
            .WithSummary("Produces records: plain JSON (one, or {\"records\": [...]}), a structured CloudEvent, a CloudEvents batch, or a binary-mode CloudEvent (ce-* headers).")
            .Accepts<ProduceJson>("application/json", CloudEventRecordReader.Structured, CloudEventRecordReader.Batch, "*/*")
            .Produces<ProduceResultJson>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> ProduceAsync(HttpContext http, BrokerService broker, TimeProvider time, HttpOptions options, [Description("The topic to produce to.")] string topic, [Description("all (the default: durable, fsynced), 1 (appended, synced soon after) or 0 (not awaited).")] string? acks = null, [Description("A key for records that carry none (CloudEvents without a partitionkey).")] string? key = null, CancellationToken cancellationToken = default)
    {
        var required = ParseAcks(acks);
        var description = broker.Broker.DescribeTopic(topic) ?? throw ApiException.UnknownTopic(topic);
        var body = await ReadBodyAsync(http.Request, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var defaultKey = key is null ? null : Encoding.UTF8.GetBytes(key);
        var records = Decode(http.Request, body, defaultKey, now, options.MaxRecordsPerRequest);

        var positions = await WriteAsync(broker.Broker, topic, description.Partitions, records, required, cancellationToken).ConfigureAwait(false);
        if (positions.FirstOrDefault(p => p.ErrorCode is not null) is { } failed)
        {
            var error = (ErrorCode)failed.ErrorCode!.Value;
            var refused = ApiException.From(error, $"The broker refused records for {topic}-{failed.Partition}: {failed.Error}.");
            return TypedResults.Problem(refused.Message, statusCode: refused.Status, title: refused.Title, extensions: new Dictionary<string, object?>
            {
                ["kafkaError"] = error.ToString(),
                ["kafkaErrorCode"] = (short)error,
                ["records"] = positions,
            });
        }

        return TypedResults.Ok(new ProduceResultJson(positions));
    }

    // A bare null here would convert to an empty ReadOnlyMemory (through byte[]), turning a tombstone into an empty value.
    private static ReadOnlyMemory<byte>? Bytes(byte[]? bytes) => bytes is null ? (ReadOnlyMemory<byte>?)null : bytes;

    private static Acks ParseAcks(string? acks) => acks switch
    {
        null or "all" or "-1" => Acks.All,
        "1" or "leader" => Acks.Leader,
        "0" or "none" => Acks.None,
        _ => throw ApiException.BadRequest($"acks must be all, 1 or 0; it is '{acks}'."),
    };

    private static List<RecordToProduce> Decode(HttpRequest request, byte[] body, byte[]? defaultKey, long now, int maxRecords)
    {
        if (CloudEventRecordReader.IsBinary(request))
        {
            return CloudEventRecordReader.ReadBinary(request, body, defaultKey, now);
        }

        var contentType = request.ContentType ?? throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Say what the body is: Content-Type application/json, application/cloudevents+json or application/cloudevents-batch+json, or send ce-* headers.");
        var mediaType = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        List<RecordToProduce> records = mediaType switch
        {
            "application/json" => JsonRecordReader.Read(body, now, maxRecords),
            CloudEventRecordReader.Structured => CloudEventRecordReader.ReadStructured(body, contentType, defaultKey, now),
            CloudEventRecordReader.Batch => CloudEventRecordReader.ReadBatch(body, contentType, defaultKey, now, maxRecords),
            _ => throw new ApiException(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Content-Type {mediaType} is not one this endpoint takes: application/json, application/cloudevents+json or application/cloudevents-batch+json, or ce-* headers for a binary-mode CloudEvent."),
        };
        return records.ConvertAll(r => r.Key is null && defaultKey is not null ? r with { Key = defaultKey } : r);
    }

    // Kestrel stops the read with a 413 once the body passes the configured limit, so this never holds more than that.
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (read.IsCompleted)
            {
                var body = read.Buffer.ToArray();
                reader.AdvanceTo(read.Buffer.End);
                return body;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>Writes the records as one batch per partition, partitions in parallel, and reports each record's position in request order.</summary>
    private static async Task<RecordPositionJson[]> WriteAsync(HeraldBroker broker, string topic, int partitionCount, List<RecordToProduce> records, Acks acks, CancellationToken cancellationToken)
    {
        var partitionOf = new int[records.Count];
        var sticky = -1;
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            partitionOf[i] = record.Partition
                ?? (record.Key is { } key ? Partitioner.PartitionForKey(key, partitionCount) : sticky >= 0 ? sticky : sticky = (int)((uint)Interlocked.Increment(ref _sticky) % partitionCount));
            if (partitionOf[i] >= partitionCount)
            {
                throw ApiException.UnknownPartition(topic, partitionOf[i], partitionCount);
            }
        }

        var byPartition = new Dictionary<int, List<int>>();
        for (var i = 0; i < records.Count; i++)
        {
            if (!byPartition.TryGetValue(partitionOf[i], out var indices))
            {
                byPartition[partitionOf[i]] = indices = [];
            }

            indices.Add(i);
        }

        var positions = new RecordPositionJson[records.Count];
        var writes = byPartition.Select(async pair =>
        {
            var (partition, indices) = (pair.Key, pair.Value);
            byte[] batch;
            using (var builder = new RecordBatchBuilder())
            {
                foreach (var i in indices)
                {
                    var record = records[i];
                    builder.Add(record.Timestamp, Bytes(record.Key), Bytes(record.Value), record.Headers);
                }

                batch = builder.ToArray();
            }

            var result = await broker.ProduceAsync(topic, partition, batch, acks, cancellationToken).ConfigureAwait(false);
            for (var n = 0; n < indices.Count; n++)
            {
                positions[indices[n]] = result.Error == ErrorCode.None
                    ? new RecordPositionJson(partition, result.BaseOffset + n)
                    : new RecordPositionJson(partition, -1, result.Message ?? result.Error.ToString(), (short)result.Error);
            }
        });
        await Task.WhenAll(writes).ConfigureAwait(false);
        return positions;
    }
}
