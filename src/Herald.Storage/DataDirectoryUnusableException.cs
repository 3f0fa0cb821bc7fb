namespace Herald.Storage;

/// <summary>
/// The data directory cannot be created or written: no permission, a read-only file system, a file in the way. Not the
/// same as <see cref="DataDirectoryLockedException"/>, where another process holds it.
/// </summary>
public sealed class DataDirectoryUnusableException(string directory, Exception cause)
    : IOException($"Cannot use '{directory}' as a data directory: {cause.Message.TrimEnd('.')}. Check its permissions and that its file system is writable, or use another --data directory.", cause)
{
    /// <summary>The directory.</summary>
    public string Directory { get; } = directory;
}
