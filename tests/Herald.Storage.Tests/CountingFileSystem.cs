namespace Herald.Storage.Tests;

/// <summary>Wraps a file system and counts data flushes, to observe group commit.</summary>
internal sealed class CountingFileSystem(ILogFileSystem inner) : ILogFileSystem
{
    private int _flushes;

    public int Flushes => Volatile.Read(ref _flushes);

    public ILogFile OpenOrCreate(string path) => new CountingFile(inner.OpenOrCreate(path), this);

    public bool FileExists(string path) => inner.FileExists(path);

    public IReadOnlyList<string> ListFiles(string directory) => inner.ListFiles(directory);

    public IReadOnlyList<string> ListDirectories(string directory) => inner.ListDirectories(directory);

    public void CreateDirectory(string path) => inner.CreateDirectory(path);

    public void DeleteDirectory(string path) => inner.DeleteDirectory(path);

    public void DeleteFile(string path) => inner.DeleteFile(path);

    public void MoveFile(string source, string destination) => inner.MoveFile(source, destination);

    public void SyncDirectory(string directory) => inner.SyncDirectory(directory);

    private sealed class CountingFile(ILogFile inner, CountingFileSystem owner) : ILogFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public int Read(long position, Span<byte> destination) => inner.Read(position, destination);

        public void Write(long position, ReadOnlySpan<byte> source) => inner.Write(position, source);

        public void Flush()
        {
            // Slow the flush down as a real disk would, so concurrent appenders pile up behind it.
            Thread.Sleep(2);
            Interlocked.Increment(ref owner._flushes);
            inner.Flush();
        }

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose() => inner.Dispose();
    }
}
