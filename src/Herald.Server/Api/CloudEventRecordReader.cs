using System.Net.Mime;
using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using Herald.Storage;
using Microsoft.AspNetCore.Http;

namespace Herald.Server.Api;

/// <summary>
/// The CloudEvents HTTP binding in (structured, batch and binary mode) to the Kafka binding out (binary mode): each
/// attribute becomes a <c>ce_</c> header, <c>datacontenttype</c> the <c>content-type</c> header, the data the value, and
/// the <c>partitionkey</c> extension (or the request's key) the record key. This is how Herald's SDK stores events, so
/// its consumers, kcat and any CloudEvents Kafka reader see the same event.
/// </summary>
internal static class CloudEventRecordReader
{
    public const string Structured = "application/cloudevents+json";
    public const string Batch = "application/cloudevents-batch+json";
    private const string PartitionKey = "partitionkey";
    private static readonly JsonEventFormatter Formatter = new();

    /// <summary>Whether a request is a binary-mode CloudEvent: its attributes are <c>ce-</c> headers.</summary>
    public static bool IsBinary(HttpRequest request) => request.Headers.ContainsKey("ce-specversion");

    public static List<RecordToProduce> ReadStructured(ReadOnlyMemory<byte> body, string contentType, byte[]? key, long now) =>
        [Record(Decode(() => Formatter.DecodeStructuredModeMessage(body, new ContentType(contentType), null)), key, now)];

    public static List<RecordToProduce> ReadBatch(ReadOnlyMemory<byte> body, string contentType, byte[]? key, long now, int maxRecords)
    {
        var events = Decode(() => Formatter.DecodeBatchModeMessage(body, new ContentType(contentType), null));
        return events.Count == 0 ? throw ApiException.BadRequest("The batch holds no events.")
            : events.Count > maxRecords ? throw ApiException.BadRequest($"One request carries at most {maxRecords} records; this batch has {events.Count}.")
            : [.. events.Select(e => Record(e, key, now))];
    }

    public static List<RecordToProduce> ReadBinary(HttpRequest request, byte[] body, byte[]? key, long now)
    {
        var cloudEvent = Decode(() =>
        {
            var version = CloudEventsSpecVersion.FromVersionId(request.Headers["ce-specversion"].ToString())
                ?? throw new ArgumentException($"ce-specversion '{request.Headers["ce-specversion"]}' is not a CloudEvents version this server knows.");
            var decoded = new CloudEvent(version);
            foreach (var (name, values) in request.Headers)
            {
                if (name.StartsWith("ce-", StringComparison.OrdinalIgnoreCase) && !name.Equals("ce-specversion", StringComparison.OrdinalIgnoreCase))
                {
                    // The HTTP binding percent-encodes attribute values in headers.
                    decoded.SetAttributeFromString(name[3..].ToLowerInvariant(), Uri.UnescapeDataString(values.ToString()));
                }
            }

            if (request.ContentType is { } contentType)
            {
                decoded.DataContentType = contentType;
            }

            decoded.Data = body;
            return decoded.Validate();
        });
        return [Record(cloudEvent, key, now)];
    }

    private static T Decode<T>(Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or JsonException or InvalidOperationException)
        {
            throw ApiException.BadRequest($"Not a valid CloudEvent: {exception.Message}");
        }
    }

    private static RecordToProduce Record(CloudEvent cloudEvent, byte[]? key, long now)
    {
        var headers = new List<RecordHeader> { new("ce_specversion", Encoding.UTF8.GetBytes(cloudEvent.SpecVersion.VersionId)) };
        byte[]? partitionKey = null;
        foreach (var (attribute, value) in cloudEvent.GetPopulatedAttributes())
        {
            var text = attribute.Format(value);
            if (attribute.Name == PartitionKey)
            {
                partitionKey = Encoding.UTF8.GetBytes(text);
            }

            headers.Add(new RecordHeader(attribute == cloudEvent.SpecVersion.DataContentTypeAttribute ? "content-type" : "ce_" + attribute.Name, Encoding.UTF8.GetBytes(text)));
        }

        if (cloudEvent.DataContentType is null && cloudEvent.Data is JsonElement)
        {
            headers.Add(new RecordHeader("content-type", "application/json"u8.ToArray())); // JSON data without a type is JSON, as the JSON format says
        }

        var data = cloudEvent.Data switch
        {
            null => null,
            byte[] bytes => bytes,
            string text => Encoding.UTF8.GetBytes(text),
            JsonElement json => Encoding.UTF8.GetBytes(json.GetRawText()),
            var other => throw ApiException.BadRequest($"CloudEvent data of type {other.GetType().Name} cannot be stored."),
        };
        return new RecordToProduce(null, partitionKey ?? key, data, [.. headers], cloudEvent.Time?.ToUnixTimeMilliseconds() ?? now);
    }
}
