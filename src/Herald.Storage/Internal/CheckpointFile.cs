using System.Globalization;
using System.Text;

namespace Herald.Storage.Internal;

/// <summary>
/// Small metadata files replaced atomically: write a temporary file, sync it, rename it over the old one, sync the directory.
/// A reader sees either the old content or the new, never a mix. Content is one line of numbers after a version tag.
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
        WriteAtomically(fileSystem, directory, name, Encoding.ASCII.GetBytes(text.ToString()));
    }

    /// <summary>Reads the values, or null when the file is missing or not in the expected form.</summary>
    public static long[]? Read(ILogFileSystem fileSystem, string directory, string name, int expectedValues)
    {
        var path = Path.Combine(directory, name);
        if (!fileSystem.FileExists(path))
        {
            return null;
        }

        using var file = fileSystem.OpenOrCreate(path);
        if (file.Length > 1024)
        {
            return null;
        }

        var bytes = new byte[file.Length];
        file.Read(0, bytes);
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

    public static void WriteAtomically(ILogFileSystem fileSystem, string directory, string name, ReadOnlySpan<byte> content)
    {
        var path = Path.Combine(directory, name);
        var temporary = path + LogFileNames.TemporaryExtension;
        using (var file = fileSystem.OpenOrCreate(temporary))
        {
            file.SetLength(0);
            file.Write(0, content);
            file.Flush();
        }

        fileSystem.MoveFile(temporary, path);
        fileSystem.SyncDirectory(directory);
    }
}
