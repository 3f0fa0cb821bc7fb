using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.EventSourcing;

/// <summary>A projection status as JSON, the same in files, in PostgreSQL and from <c>herald projections --output json</c>.</summary>
internal static class ProjectionStatusJson
{
    public const string FileName = "status.json";

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The status, or null when the bytes are not one (a file cut short by hand, say).</summary>
    public static ProjectionStatus? TryRead(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<ProjectionStatus>(json, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
