using System.Text;
using Herald.Client;
using Herald.Storage;

namespace Herald.Server.Api;

/// <summary>
/// What browse, tail and trace lookup keep: an exact key, a header (by name, or name:value), a CloudEvents type (with
/// or without its version), a substring of the body (ignoring case), a time window, and a trace (the trace id of its
/// <c>traceparent</c> header) or correlation id (<c>ce_correlationid</c>). Empty keeps everything.
/// </summary>
internal sealed record RecordFilter(string? Key, string? HeaderName, string? HeaderValue, string? Type, string? Contains, DateTimeOffset? Since, DateTimeOffset? Until)
{
    public static RecordFilter Parse(string? key, string? header, string? type, string? contains, DateTimeOffset? since = null, DateTimeOffset? until = null)
    {
        string? headerName = null, headerValue = null;
        if (!string.IsNullOrEmpty(header))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            (headerName, headerValue) = colon < 0 ? (header, null) : (header[..colon], header[(colon + 1)..]);
            if (headerName.Length == 0)
            {
                throw ApiException.BadRequest("header takes NAME or NAME:VALUE.");
            }
        }

        return new RecordFilter(
            string.IsNullOrEmpty(key) ? null : key,
            headerName,
            headerValue,
            string.IsNullOrEmpty(type) ? null : type,
            string.IsNullOrEmpty(contains) ? null : contains,
            since,
            until);
    }

    public bool Matches(in Record record)
    {
        if (TraceId is not null && !HasTrace(record, TraceId))
        {
            return false;
        }

        if (CorrelationId is not null && !HasHeader(record, "ce_correlationid", CorrelationId))
        {
            return false;
        }

        if (Since is { } since && record.Timestamp < since.ToUnixTimeMilliseconds())
        {
            return false;
        }

        if (Until is { } until && record.Timestamp >= until.ToUnixTimeMilliseconds())
        {
            return false;
        }

        if (Key is not null && (record.Key is not { } key || RecordView.Utf8(key) != Key))
        {
            return false;
        }

        if (HeaderName is not null && !HasHeader(record, HeaderName, HeaderValue))
        {
            return false;
        }

        if (Type is not null && !HasType(record, Type))
        {
            return false;
        }

        return Contains is null || (RecordView.Utf8(record.Value) is { } text && text.Contains(Contains, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Only records of this W3C trace: 32 hex digits, the second field of <c>traceparent</c>.</summary>
    public string? TraceId { get; init; }

    /// <summary>Only records with this correlation id.</summary>
    public string? CorrelationId { get; init; }

    private static bool HasTrace(in Record record, string traceId)
    {
        foreach (var header in record.Headers)
        {
            // traceparent is 00-{trace id}-{span id}-{flags}: the trace id sits at characters 3 to 35.
            if (header.Key == "traceparent" && header.Value is { Length: >= 35 } bytes
                && Encoding.ASCII.GetString(bytes.Span.Slice(3, 32)).Equals(traceId, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasHeader(in Record record, string name, string? value)
    {
        foreach (var header in record.Headers)
        {
            if (header.Key == name && (value is null || (header.Value is { } bytes && Encoding.UTF8.GetString(bytes.Span) == value)))
            {
                return true;
            }
        }

        return false;
    }

    // OrderPlaced matches every version of it; OrderPlaced.v2 only that one.
    private static bool HasType(in Record record, string wanted)
    {
        foreach (var header in record.Headers)
        {
            if (header.Key == "ce_type" && header.Value is { } bytes)
            {
                var stored = Encoding.UTF8.GetString(bytes.Span);
                return stored.Length > 0 && (stored == wanted || (EventTypeName.Parse(wanted).ToString() != wanted && EventTypeName.Parse(stored).Name == wanted));
            }
        }

        return false;
    }
}
