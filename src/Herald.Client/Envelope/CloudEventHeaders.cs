using System.Globalization;
using System.Text;

namespace Herald.Client;

/// <summary>
/// The CloudEvents Kafka protocol binding, binary mode: attributes are <c>ce_</c> headers, the body is the record value
/// with its <c>content-type</c> header, and the key is the record key. Trace context uses the W3C header names.
/// </summary>
internal static class CloudEventHeaders
{
    /// <summary>The CloudEvents version written.</summary>
    public const string SpecVersion = "1.0";

    /// <summary>The content type of Herald's JSON bodies.</summary>
    public const string JsonContentType = "application/json";

    internal const string Id = "ce_id";
    internal const string Type = "ce_type";
    internal const string Source = "ce_source";
    internal const string Time = "ce_time";
    internal const string Spec = "ce_specversion";
    internal const string Subject = "ce_subject";
    internal const string Correlation = "ce_correlationid";
    internal const string Causation = "ce_causationid";
    internal const string ContentType = "content-type";
    internal const string TraceParentHeader = "traceparent";
    internal const string TraceStateHeader = "tracestate";

    /// <summary>The headers for <paramref name="metadata"/>.</summary>
    public static List<KeyValuePair<string, byte[]>> Write(EventMetadata metadata)
    {
        var headers = new List<KeyValuePair<string, byte[]>>(11)
        {
            Header(Spec, SpecVersion),
            Header(Id, metadata.Id.ToString()),
            Header(Type, metadata.Type.ToString()),
            Header(Source, metadata.Source),
            Header(Time, metadata.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)),
            Header(ContentType, JsonContentType),
        };
        Optional(headers, Subject, metadata.Key);
        Optional(headers, Correlation, metadata.CorrelationId);
        Optional(headers, Causation, metadata.CausationId);
        Optional(headers, TraceParentHeader, metadata.TraceParent);
        Optional(headers, TraceStateHeader, metadata.TraceState);
        return headers;
    }

    /// <summary>
    /// Reads the envelope from a record's headers and key; throws <see cref="InvalidEventException"/> when the required
    /// attributes (id, type, source, specversion) are missing or malformed.
    /// </summary>
    public static EventMetadata Read(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string? key)
    {
        if (Find(headers, Transport.DamagedBatch.Header) is { } damage)
        {
            throw new InvalidEventException($"A damaged record batch stands in place of these records ({damage}); they cannot be read.");
        }

        var spec = Find(headers, Spec) ?? throw new InvalidEventException($"The record has no {Spec} header: it is not a CloudEvent.");
        if (!spec.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new InvalidEventException($"CloudEvents {spec} is not supported (1.x is).");
        }

        var id = Required(headers, Id);
        var type = Required(headers, Type);
        var source = Required(headers, Source);
        var time = Find(headers, Time) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : DateTimeOffset.MinValue;
        return new EventMetadata(
            Guid.TryParse(id, out var guid) ? guid : DeterministicGuid(id),
            EventTypeName.Parse(type),
            source,
            time,
            Find(headers, Subject) ?? key,
            Find(headers, Correlation),
            Find(headers, Causation),
            Find(headers, TraceParentHeader),
            Find(headers, TraceStateHeader));
    }

    /// <summary>The last value of a header as UTF-8 text, or null.</summary>
    public static string? Find(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name)
    {
        for (var i = headers.Count - 1; i >= 0; i--)
        {
            if (string.Equals(headers[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return headers[i].Value is { } value ? Encoding.UTF8.GetString(value) : null;
            }
        }

        return null;
    }

    private static string Required(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name) =>
        Find(headers, name) is { Length: > 0 } value ? value : throw new InvalidEventException($"The event has no {name}, or an empty one.");

    /// <summary>The last value of a header as an unsigned integer, or null when it is missing or not one.</summary>
    internal static long? FindNumber(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name) =>
        long.TryParse(Find(headers, name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The last value of a header as an ISO 8601 time, or null when it is missing or not one.</summary>
    internal static DateTimeOffset? FindTime(IReadOnlyList<KeyValuePair<string, byte[]>> headers, string name) =>
        DateTimeOffset.TryParse(Find(headers, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;

    internal static KeyValuePair<string, byte[]> Header(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));

    private static void Optional(List<KeyValuePair<string, byte[]>> headers, string name, string? value)
    {
        if (value is not null)
        {
            headers.Add(Header(name, value));
        }
    }

    // Other producers' ids need not be GUIDs; the same id must still map to the same Guid for idempotency.
    private static Guid DeterministicGuid(string id)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return new Guid(hash[..16]);
    }
}
