namespace Herald.Storage;

/// <summary>
/// Small files replaced atomically and durably: write a temporary file, sync it, rename it over the old one, sync the
/// directory. A reader, or a restart after a power cut, sees the old content or the new, never a mix.
/// </summary>
public static class AtomicFile
{
    /// <summary>The suffix of the temporary file; an open may delete leftovers with it.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>Replaces <paramref name="name"/> in <paramref name="directory"/> with <paramref name="content"/>.</summary>
    public static void Write(ILogFileSystem fileSystem, string directory, string name, ReadOnlySpan<byte> content)
    {
        var path = Path.Combine(directory, name);
        var temporary = path + TemporarySuffix;
        try
        {
            using (var file = fileSystem.OpenOrCreate(temporary))
            {
                file.SetLength(0);
                file.Write(0, content);
                file.Flush();
            }

            fileSystem.MoveFile(temporary, path);
        }
        catch
        {
            DeleteQuietly(fileSystem, temporary); // on a full disk, a half-written copy would only take more of it
            throw;
        }

        fileSystem.SyncDirectory(directory);
    }

    /// <summary>The whole content of a file, or null when it does not exist or is larger than <paramref name="maxBytes"/>.</summary>
    public static byte[]? Read(ILogFileSystem fileSystem, string path, int maxBytes)
    {
        if (!fileSystem.FileExists(path))
        {
            return null;
        }

        using var file = fileSystem.OpenOrCreate(path);
        var length = file.Length;
        if (length > maxBytes)
        {
            return null;
        }

        var bytes = new byte[length];
        return file.Read(0, bytes) == length ? bytes : null;
    }

    private static void DeleteQuietly(ILogFileSystem fileSystem, string path)
    {
        try
        {
            fileSystem.DeleteFile(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The write's own failure is what the caller needs to hear about.
        }
    }
}
