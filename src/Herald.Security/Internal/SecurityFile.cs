using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Storage;

namespace Herald.Security.Internal;

/// <summary>
/// A small JSON file of the security state (users, ACLs), replaced atomically and durably: write, fsync, rename, fsync
/// the directory. Carries a format version, checked on reading.
/// </summary>
internal static class SecurityFile
{
    private const int MaxBytes = 64 * 1024 * 1024;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The file's JSON object, or null when there is no file yet.</summary>
    /// <exception cref="InvalidDataException">Saying what is wrong with the file; it is left as it is.</exception>
    public static JsonObject? Read(string directory, string fileName, int formatVersion, string what)
    {
        var path = Path.Combine(directory, fileName);
        var bytes = AtomicFile.Read(DiskFileSystem.Instance, path, MaxBytes);
        if (bytes is null)
        {
            return File.Exists(path) ? throw new InvalidDataException($"The {what} file {path} is larger than {MaxBytes} bytes or could not be read.") : null;
        }

        try
        {
            var root = JsonNode.Parse(bytes)?.AsObject() ?? throw new InvalidDataException("it is empty");
            return (int?)root["version"] == formatVersion
                ? root
                : throw new InvalidDataException($"its format version is {root["version"]?.ToJsonString() ?? "missing"}, and this Herald reads {formatVersion}");
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or InvalidDataException)
        {
            throw Invalid(path, what, exception);
        }
    }

    /// <summary>Replaces the file with <paramref name="content"/> and the format version.</summary>
    public static void Write(string directory, string fileName, int formatVersion, JsonObject content)
    {
        content["version"] = formatVersion;
        AtomicFile.Write(DiskFileSystem.Instance, directory, fileName, Encoding.UTF8.GetBytes(content.ToJsonString(Indented)));
    }

    /// <summary>The error for a file whose content does not make sense, naming it and what to do.</summary>
    public static InvalidDataException Invalid(string path, string what, Exception exception) =>
        new($"The {what} file {path} is not valid: {exception.Message}. It was left as it is; restore it from a backup or move it away to start with no {what}s.", exception);
}
