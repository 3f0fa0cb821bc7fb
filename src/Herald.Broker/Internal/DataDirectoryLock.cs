using System.Globalization;

namespace Herald.Broker.Internal;

/// <summary>
/// Holds a data directory for one broker: an exclusive lock on <c>herald.lock</c> (released by the OS when the process
/// dies, even by SIGKILL), and the holder's pid in <c>herald.pid</c> so a second opener can say who holds it.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    private const string LockFile = "herald.lock";
    private const string PidFile = "herald.pid";
    private readonly FileStream _lock;

    private DataDirectoryLock(FileStream handle) => _lock = handle;

    public static DataDirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        FileStream handle;
        try
        {
            // FileShare.None takes an exclusive flock on Unix, which dies with the process.
            handle = new FileStream(Path.Combine(directory, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new DataDirectoryLockedException(directory, ReadHolder(directory));
        }

        File.WriteAllText(Path.Combine(directory, PidFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return new DataDirectoryLock(handle);
    }

    public void Dispose() => _lock.Dispose();

    private static int? ReadHolder(string directory)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(directory, PidFile)), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
