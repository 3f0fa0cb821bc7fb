namespace Herald.Storage;

/// <summary>Another process (or another broker in this one) has the data directory open.</summary>
public sealed class DataDirectoryLockedException(string directory, int? holderProcessId)
    : IOException(holderProcessId is { } pid
        ? $"The data directory '{directory}' is in use by process {pid}. Stop that process, or reach what it serves instead."
        : $"The data directory '{directory}' is in use by another process. Stop it, or reach what it serves instead.")
{
    /// <summary>The locked directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>The process holding the lock, when it could be read.</summary>
    public int? HolderProcessId { get; } = holderProcessId;
}
