using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Herald.Storage.Internal;

internal static partial class NativeMethods
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    /// <summary>fdatasync on Linux (data and the size, not timestamps); fsync elsewhere.</summary>
    public static void FlushData(SafeFileHandle handle, string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }

        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            var result = OperatingSystem.IsLinux() ? fdatasync(fd) : fsync(fd);
            if (result != 0)
            {
                ThrowLastError("fdatasync", path);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public static void SyncDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // NTFS journals directory entries; there is no directory handle to flush.
        }

        const int ReadOnly = 0;
        var fd = open(path, ReadOnly);
        if (fd < 0)
        {
            ThrowLastError("open", path);
        }

        try
        {
            if (fsync(fd) != 0)
            {
                ThrowLastError("fsync", path);
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    private static void ThrowLastError(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        throw new IOException($"{call} failed for '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).", errno);
    }
}
