using System.Globalization;

namespace Herald.Storage;

/// <summary>
/// Holds a data directory for one process: an exclusive lock on <c>herald.lock</c> (released by the OS when the process
/// dies, even by SIGKILL), and the holder's pid in <c>herald.pid</c> so a second opener can say who holds it.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private const string LockFile = "herald.lock";
    private const string PidFile = "herald.pid";

    // .NET reports a lock held elsewhere as an IOException whose HResult is the errno on Unix (EWOULDBLOCK), and
    // ERROR_SHARING_VIOLATION on Windows.
    private static readonly int WouldBlock = OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsLinux() ? 11 : 35;

    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream handle) => _lock = handle;

    /// <summary>Takes the directory, creating it if needed.</summary>
    /// <exception cref="DataDirectoryLockedException">When a live process holds the directory.</exception>
    /// <exception cref="DataDirectoryUnusableException">When the directory cannot be created or written.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        FileStream handle;
        try
        {
            Directory.CreateDirectory(directory);

            // FileShare.None takes an exclusive flock on Unix, which dies with the process.
            handle = new FileStream(Path.Combine(directory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (exception.HResult == WouldBlock)
        {
            throw new DataDirectoryLockedException(directory, LiveHolder(directory));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new DataDirectoryUnusableException(directory, exception);
        }

        try
        {
            File.WriteAllText(Path.Combine(directory, PidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            throw new DataDirectoryUnusableException(directory, exception);
        }

        return new DataDirectoryLock(handle);
    }

    /// <summary>Lets the directory go.</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>The pid the holder recorded, when that process is still running; a stale file names nobody.</summary>
    private static int? LiveHolder(string directory)
    {
        try
        {
            if (!int.TryParse(File.ReadAllText(Path.Combine(directory, PidFile)), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
