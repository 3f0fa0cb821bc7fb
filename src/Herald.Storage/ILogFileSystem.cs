namespace Herald.Storage;

/// <summary>
/// The few file-system operations the log engine needs. <see cref="DiskFileSystem"/> is the real one;
/// <see cref="MemoryFileSystem"/> keeps everything in memory and can simulate a power cut.
/// </summary>
public interface ILogFileSystem
{
    /// <summary>Opens a file for reading and writing, creating it empty when it does not exist.</summary>
    ILogFile OpenOrCreate(string path);

    /// <summary>Whether a file exists at <paramref name="path"/>.</summary>
    bool FileExists(string path);

    /// <summary>The names (not paths) of the files directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListFiles(string directory);

    /// <summary>The names (not paths) of the directories directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> ListDirectories(string directory);

    /// <summary>Creates a directory and its parents if they do not exist.</summary>
    void CreateDirectory(string path);

    /// <summary>Deletes a directory and everything in it, if it exists.</summary>
    void DeleteDirectory(string path);

    /// <summary>Deletes a file if it exists.</summary>
    void DeleteFile(string path);

    /// <summary>Renames a file, atomically replacing any file at <paramref name="destination"/>.</summary>
    void MoveFile(string source, string destination);

    /// <summary>Makes creations, renames and deletions inside <paramref name="directory"/> survive a power cut (fsync of the directory).</summary>
    void SyncDirectory(string directory);
}
