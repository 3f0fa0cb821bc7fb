using System.Text;
using System.Text.Json;
using Herald.Storage;

namespace Herald.Server.Api;

/// <summary>Shows a stored record as JSON: text where the bytes are UTF-8, JSON where they parse, base64 otherwise.</summary>
internal static class RecordView
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static StoredRecordJson Show(string topic, int partition, in Record record)
    {
        var (key, keyEncoding) = Text(record.Key);
        var headers = new HeaderJson[record.Headers.Count];
        Dictionary<string, string>? cloudEvent = null;
        var declaredJson = false;
        for (var i = 0; i < headers.Length; i++)
        {
            var header = record.Headers[i];
            var (value, encoding) = Text(header.Value);
            headers[i] = new HeaderJson(header.Key, value, encoding);
            declaredJson |= header.Key == "content-type" && value is not null && value.Contains("json", StringComparison.OrdinalIgnoreCase);
            if (header.Key.StartsWith("ce_", StringComparison.Ordinal) && encoding == "utf8")
            {
                (cloudEvent ??= new Dictionary<string, string>(StringComparer.Ordinal))[header.Key[3..]] = value!;
            }
        }

        var (shown, valueEncoding) = Value(record.Value, declaredJson);
        return new StoredRecordJson(topic, partition, record.Offset, Time(record.Timestamp), key, keyEncoding, headers, shown, valueEncoding, record.Value?.Length ?? 0, cloudEvent);
    }

    /// <summary>
    /// A record's timestamp as a time. Kafka producers may write any long (microseconds by mistake, say); those outside
    /// what a date can hold show as its first or last moment rather than failing the request.
    /// </summary>
    public static DateTimeOffset Time(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(unixMilliseconds, DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));

    /// <summary>The bytes as text when they are UTF-8 without control characters (other than whitespace), or null.</summary>
    public static string? Utf8(ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } value)
        {
            return null;
        }

        try
        {
            var text = StrictUtf8.GetString(value.Span);
            return text.AsSpan().IndexOfAnyInRange('\0', '\u0008') < 0 && text.AsSpan().IndexOfAnyInRange('\u000e', '\u001f') < 0 ? text : null; // control bytes mean binary
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static (string? Text, string Encoding) Text(ReadOnlyMemory<byte>? bytes) =>
        bytes is null ? (null, "null") : Utf8(bytes) is { } text ? (text, "utf8") : (Convert.ToBase64String(bytes.Value.Span), "base64");

    private static (object? Value, string Encoding) Value(ReadOnlyMemory<byte>? bytes, bool declaredJson)
    {
        if (bytes is not { } value)
        {
            return (null, "null");
        }

        if (value.Length > 0 && (declaredJson || LooksLikeJson(value.Span)))
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                return (document.RootElement.Clone(), "json");
            }
            catch (JsonException)
            {
                // Not JSON after all: shown as text or base64 below.
            }
        }

        return Utf8(value) is { } text ? (text, "utf8") : (Convert.ToBase64String(value.Span), "base64");
    }

    // Without a content-type saying JSON, a bare number or word stays text: "42" may be a plain string key or id.
    private static bool LooksLikeJson(ReadOnlySpan<byte> value)
    {
        var trimmed = value.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && (trimmed[0] == (byte)'{' || trimmed[0] == (byte)'[' || trimmed[0] == (byte)'"');
    }
}
