namespace Herald.Storage;

/// <summary>
/// A file system held in memory, for tests and the broker's memory-only mode. It models durability the way a disk does:
/// file contents survive <see cref="SimulatePowerLoss"/> only up to their last <see cref="ILogFile.Flush"/>, and creations,
/// renames and deletions only after <see cref="ILogFileSystem.SyncDirectory"/>. Thread-safe.
/// </summary>
public sealed class MemoryFileSystem : ILogFileSystem
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, MemoryFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MemoryFile> _durableFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ILogFile OpenOrCreate(string path)
    {
        path = Normalize(path);
        lock (_gate)
        {
            RequireDirectory(Parent(path));
            if (!_files.TryGetValue(path, out var file))
            {
                file = new MemoryFile();
                _files.Add(path, file);
            }

            return new Handle(path, file);
        }
    }

    /// <inheritdoc />
    public bool FileExists(string path)
    {
        lock (_gate)
        {
            return _files.ContainsKey(Normalize(path));
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListFiles(string directory)
    {
        directory = Normalize(directory);
        lock (_gate)
        {
            RequireDirectory(directory);
            var names = new List<string>();
            foreach (var path in _files.Keys)
            {
                if (Parent(path) == directory)
                {
                    names.Add(Path.GetFileName(path));
                }
            }

            return names;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ListDirectories(string directory)
    {
        directory = Normalize(directory);
        lock (_gate)
        {
            RequireDirectory(directory);
            var names = new List<string>();
            foreach (var path in _directories)
            {
                if (Parent(path) == directory)
                {
                    names.Add(Path.GetFileName(path));
                }
            }

            return names;
        }
    }

    /// <inheritdoc />
    public void DeleteDirectory(string path)
    {
        path = Normalize(path);
        var prefix = path + Path.DirectorySeparatorChar;
        lock (_gate)
        {
            _directories.RemoveWhere(d => d == path || d.StartsWith(prefix, StringComparison.Ordinal));
            foreach (var file in _files.Keys.Where(f => f.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                _files.Remove(file);
            }
        }
    }

    /// <inheritdoc />
    public void CreateDirectory(string path)
    {
        path = Normalize(path);
        lock (_gate)
        {
            for (var dir = path; !string.IsNullOrEmpty(dir); dir = Parent(dir))
            {
                _directories.Add(dir);
            }
        }
    }

    /// <inheritdoc />
    public void DeleteFile(string path)
    {
        lock (_gate)
        {
            _files.Remove(Normalize(path));
        }
    }

    /// <inheritdoc />
    public void MoveFile(string source, string destination)
    {
        source = Normalize(source);
        destination = Normalize(destination);
        lock (_gate)
        {
            if (!_files.Remove(source, out var file))
            {
                throw new FileNotFoundException($"No such file: '{source}'.", source);
            }

            RequireDirectory(Parent(destination));
            _files[destination] = file;
        }
    }

    /// <inheritdoc />
    public void SyncDirectory(string directory)
    {
        directory = Normalize(directory);
        lock (_gate)
        {
            RequireDirectory(directory);
            var stale = new List<string>();
            foreach (var path in _durableFiles.Keys)
            {
                if (Parent(path) == directory && !_files.ContainsKey(path))
                {
                    stale.Add(path);
                }
            }

            foreach (var path in stale)
            {
                _durableFiles.Remove(path);
            }

            foreach (var (path, file) in _files)
            {
                if (Parent(path) == directory)
                {
                    _durableFiles[path] = file;
                }
            }
        }
    }

    /// <summary>
    /// Returns what a power cut would leave: a new file system holding only flushed bytes and synced directory changes.
    /// With <paramref name="tornWrites"/>, each file also keeps a random part of its unflushed tail, as a disk that wrote
    /// back some pages before the cut would. This instance is left as it was, so code still holding it (a process that
    /// "died" in the cut) cannot disturb the survivor.
    /// </summary>
    public MemoryFileSystem SimulatePowerLoss(Random? tornWrites = null)
    {
        var survivor = new MemoryFileSystem();
        lock (_gate)
        {
            survivor._directories.UnionWith(_directories);
            foreach (var (path, file) in _durableFiles)
            {
                var copy = file.SurvivorOfPowerLoss(tornWrites);
                survivor._durableFiles.Add(path, copy);
                survivor._files.Add(path, copy);
            }
        }

        return survivor;
    }

    private void RequireDirectory(string directory)
    {
        if (!_directories.Contains(directory))
        {
            throw new DirectoryNotFoundException($"No such directory: '{directory}'.");
        }
    }

    private static string Normalize(string path) => Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? string.Empty;

    private sealed class MemoryFile
    {
        private readonly Lock _gate = new();
        private byte[] _data = [];
        private long _length;
        private byte[] _durable = [];

        public long Length
        {
            get
            {
                lock (_gate)
                {
                    return _length;
                }
            }
        }

        public int Read(long position, Span<byte> destination)
        {
            lock (_gate)
            {
                if (position >= _length)
                {
                    return 0;
                }

                var count = (int)Math.Min(destination.Length, _length - position);
                _data.AsSpan((int)position, count).CopyTo(destination);
                return count;
            }
        }

        public void Write(long position, ReadOnlySpan<byte> source)
        {
            lock (_gate)
            {
                var end = position + source.Length;
                EnsureCapacity(end);
                source.CopyTo(_data.AsSpan((int)position));
                _length = Math.Max(_length, end);
            }
        }

        public void SetLength(long length)
        {
            lock (_gate)
            {
                EnsureCapacity(length);
                if (length > _length)
                {
                    _data.AsSpan((int)_length, (int)(length - _length)).Clear();
                }

                _length = length;
            }
        }

        public void Flush()
        {
            lock (_gate)
            {
                _durable = _data.AsSpan(0, (int)_length).ToArray();
            }
        }

        public MemoryFile SurvivorOfPowerLoss(Random? tornWrites)
        {
            lock (_gate)
            {
                var content = _durable;
                var appendedSinceFlush = _length > _durable.Length && _data.AsSpan(0, _durable.Length).SequenceEqual(_durable);
                if (tornWrites is not null && appendedSinceFlush)
                {
                    content = _data.AsSpan(0, _durable.Length + tornWrites.Next((int)(_length - _durable.Length) + 1)).ToArray();
                }

                return new MemoryFile { _data = content.ToArray(), _length = content.Length, _durable = content };
            }
        }

        private void EnsureCapacity(long length)
        {
            if (length > Array.MaxLength)
            {
                throw new IOException($"A memory file cannot grow beyond {Array.MaxLength} bytes.");
            }

            if (length > _data.Length)
            {
                Array.Resize(ref _data, (int)Math.Max(length, Math.Min(Array.MaxLength, _data.Length * 2L)));
            }
        }
    }

    private sealed class Handle(string path, MemoryFile file) : ILogFile
    {
        private bool _disposed;

        public string Path { get; } = path;

        public long Length => Open().Length;

        public int Read(long position, Span<byte> destination) => Open().Read(position, destination);

        public void Write(long position, ReadOnlySpan<byte> source) => Open().Write(position, source);

        public void Flush() => Open().Flush();

        public void SetLength(long length) => Open().SetLength(length);

        // Like a closed file descriptor, a disposed handle refuses work, so use-after-close bugs show up in memory too.
        public void Dispose() => Volatile.Write(ref _disposed, true);

        private MemoryFile Open()
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
            return file;
        }
    }
}
