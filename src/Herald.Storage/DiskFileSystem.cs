using Herald.Storage.Internal;
using Microsoft.Win32.SafeHandles;

namespace Herald.Storage;

/// <summary>The real file system: positional I/O through <see cref="RandomAccess"/> and fdatasync for durability. Thread-safe.</summary>
public sealed class DiskFileSystem : ILogFileSystem
{
    /// <summary>The shared instance; the type holds no state.</summary>
    public static DiskFileSystem Instance { get; } = new();

    /// <inheritdoc />
    public ILogFile OpenOrCreate(string path)
    {
        var handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        return new DiskFile(path, handle);
    }

    /// <inheritdoc />
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            names.Add(System.IO.Path.GetFileName(path));
        }

        return names;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListDirectories(string directory)
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateDirectories(directory))
        {
            names.Add(System.IO.Path.GetFileName(path));
        }

        return names;
    }

    /// <inheritdoc />
    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    /// <inheritdoc />
    public void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <inheritdoc />
    public void DeleteFile(string path) => File.Delete(path);

    /// <inheritdoc />
    public void MoveFile(string source, string destination) => File.Move(source, destination, overwrite: true);

    /// <inheritdoc />
    public void SyncDirectory(string directory) => NativeMethods.SyncDirectory(directory);

    private sealed class DiskFile(string path, SafeFileHandle handle) : ILogFile
    {
        public string Path { get; } = path;

        public long Length => RandomAccess.GetLength(handle);

        public int Read(long position, Span<byte> destination)
        {
            var total = 0;
            while (total < destination.Length)
            {
                var read = RandomAccess.Read(handle, destination[total..], position + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total;
        }

        public void Write(long position, ReadOnlySpan<byte> source) => RandomAccess.Write(handle, source, position);

        public void Flush() => NativeMethods.FlushData(handle, Path);

        public void SetLength(long length) => RandomAccess.SetLength(handle, length);

        public void Dispose() => handle.Dispose();
    }
}
