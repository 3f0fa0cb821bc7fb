using System.Globalization;
using System.Text;
using System.Text.Json;
using Herald.Storage;

namespace Herald.Server.Api;

/// <summary>Reads a plain JSON produce body (<see cref="ProduceJson"/>) into records, refusing what it cannot take with a 400.</summary>
internal static class JsonRecordReader
{
    private static readonly byte[] JsonContentType = "application/json"u8.ToArray();

    public static List<RecordToProduce> Read(ReadOnlyMemory<byte> body, long now, int maxRecords)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("The body must be a JSON object: one record, or {\"records\": [...]}.");
        }

        if (!root.TryGetProperty("records", out var records))
        {
            return [Record(root, now, "the record")];
        }

        if (records.ValueKind != JsonValueKind.Array || records.GetArrayLength() == 0)
        {
            throw ApiException.BadRequest("records must be a non-empty array.");
        }

        if (records.GetArrayLength() > maxRecords)
        {
            throw ApiException.BadRequest($"One request carries at most {maxRecords} records; this one has {records.GetArrayLength()}.");
        }

        var result = new List<RecordToProduce>(records.GetArrayLength());
        var index = 0;
        foreach (var record in records.EnumerateArray())
        {
            result.Add(Record(record, now, $"records[{index++}]"));
        }

        return result;
    }

    private static RecordToProduce Record(JsonElement record, long now, string where)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest($"{where} must be a JSON object.");
        }

        var format = OptionalString(record, "valueFormat", where) ?? "json";
        byte[]? value = null;
        var headers = new List<RecordHeader>();
        if (record.TryGetProperty("value", out var v) && v.ValueKind != JsonValueKind.Null)
        {
            value = format switch
            {
                "json" => Encoding.UTF8.GetBytes(v.GetRawText()),
                "string" when v.ValueKind == JsonValueKind.String => Encoding.UTF8.GetBytes(v.GetString()!),
                "base64" when v.ValueKind == JsonValueKind.String && v.TryGetBytesFromBase64(out var bytes) => bytes,
                "string" or "base64" => throw ApiException.BadRequest($"{where}.value must be a {(format == "base64" ? "base64 " : string.Empty)}string when valueFormat is {format}."),
                _ => throw ApiException.BadRequest($"{where}.valueFormat must be json, string or base64; it is '{format}'."),
            };
            if (format == "json")
            {
                headers.Add(new RecordHeader("content-type", JsonContentType));
            }
        }

        if (record.TryGetProperty("headers", out var h) && h.ValueKind != JsonValueKind.Null)
        {
            if (h.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest($"{where}.headers must be an object of names to string values.");
            }

            foreach (var header in h.EnumerateObject())
            {
                headers.Add(new RecordHeader(header.Name, header.Value.ValueKind switch
                {
                    JsonValueKind.String => Encoding.UTF8.GetBytes(header.Value.GetString()!),
                    JsonValueKind.Null => null,
                    _ => throw ApiException.BadRequest($"{where}.headers.{header.Name} must be a string or null."),
                }));
            }
        }

        var key = OptionalString(record, "key", where) is { } text ? Encoding.UTF8.GetBytes(text) : null;
        return new RecordToProduce(Partition(record, where), key, value, [.. headers], Timestamp(record, now, where));
    }

    private static string? OptionalString(JsonElement record, string name, string where) =>
        !record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw ApiException.BadRequest($"{where}.{name} must be a string.");

    private static int? Partition(JsonElement record, string where) =>
        !record.TryGetProperty("partition", out var value) || value.ValueKind == JsonValueKind.Null ? null
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var partition) && partition >= 0 ? partition
        : throw ApiException.BadRequest($"{where}.partition must be a partition number.");

    private static long Timestamp(JsonElement record, long now, string where) =>
        !record.TryGetProperty("timestamp", out var value) || value.ValueKind == JsonValueKind.Null ? now
        : value.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time.ToUnixTimeMilliseconds()
        : throw ApiException.BadRequest($"{where}.timestamp must be an ISO 8601 time.");
}
