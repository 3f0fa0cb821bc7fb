using System.Globalization;
using System.Text;

namespace Herald.Storage.Internal;

/// <summary>
/// Small metadata files of numbers, replaced through <see cref="AtomicFile"/>. Content is one line of numbers after a
/// version tag; anything else reads as missing.
/// </summary>
internal static class CheckpointFile
{
    private const string Version = "1";

    public static void Write(ILogFileSystem fileSystem, string directory, string name, params long[] values)
    {
        var text = new StringBuilder(Version);
        foreach (var value in values)
        {
            text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture));
        }

        text.Append('\n');
        AtomicFile.Write(fileSystem, directory, name, Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>Reads the values, or null when the file is missing or not in the expected form.</summary>
    public static long[]? Read(ILogFileSystem fileSystem, string directory, string name, int expectedValues)
    {
        var bytes = AtomicFile.Read(fileSystem, Path.Combine(directory, name), maxBytes: 1024);
        if (bytes is null)
        {
            return null;
        }

        var parts = Encoding.ASCII.GetString(bytes).TrimEnd('\n').Split(' ');
        if (parts.Length != expectedValues + 1 || parts[0] != Version)
        {
            return null;
        }

        var values = new long[expectedValues];
        for (var i = 0; i < expectedValues; i++)
        {
            if (!long.TryParse(parts[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
            {
                return null;
            }
        }

        return values;
    }

    public static void Delete(ILogFileSystem fileSystem, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        if (fileSystem.FileExists(path))
        {
            fileSystem.DeleteFile(path);
            fileSystem.SyncDirectory(directory);
        }
    }
}
