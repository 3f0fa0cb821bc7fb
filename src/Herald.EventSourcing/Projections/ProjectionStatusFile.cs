using System.Text.Json;
using System.Text.Json.Serialization;
using Herald.Storage;

namespace Herald.EventSourcing;

/// <summary>A projection's last status as JSON, for readers outside the process (<c>herald projections</c>).</summary>
internal static class ProjectionStatusFile
{
    public const string Name = "status.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static void Write(string directory, ProjectionStatus status) =>
        AtomicFile.Write(DiskFileSystem.Instance, directory, Name, JsonSerializer.SerializeToUtf8Bytes(status, Json));

    /// <summary>The status saved in <paramref name="directory"/>, or null when there is none that can be read.</summary>
    public static ProjectionStatus? Read(string directory)
    {
        try
        {
            return AtomicFile.Read(DiskFileSystem.Instance, Path.Combine(directory, Name), maxBytes: 64 * 1024) is { } bytes
                ? JsonSerializer.Deserialize<ProjectionStatus>(bytes, Json)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
