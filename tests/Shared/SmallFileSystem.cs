using System.Diagnostics;

namespace Herald.Testing;

/// <summary>
/// A tmpfs of a few MiB mounted on a fresh directory for the length of a test, so that a full disk is real: writes get
/// ENOSPC from the kernel. Mounting needs root; <see cref="NeedsRootFactAttribute"/> skips the test otherwise.
/// </summary>
internal sealed class SmallFileSystem : IDisposable
{
    private SmallFileSystem(string path) => Path = path;

    public string Path { get; }

    /// <summary>Why no tmpfs can be mounted here (not root, or no right to mount, as in some containers); null when one can.</summary>
    public static string? CannotMount => Probe.Value;

    private static readonly Lazy<string?> Probe = new(() =>
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return "it needs root on Linux to mount a small tmpfs";
        }

        try
        {
            Mount(megabytes: 1).Dispose();
            return null;
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            return $"mounting a tmpfs failed here: {exception.Message.Trim()}";
        }
    });

    public static SmallFileSystem Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "herald-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
        return new SmallFileSystem(path);
    }

    /// <summary>Fills what is left with a file of its own, which <see cref="FreeSpace"/> deletes again.</summary>
    public void Fill()
    {
        using var filler = new FileStream(System.IO.Path.Combine(Path, "filler"), FileMode.Create);
        var chunk = new byte[64 * 1024];
        try
        {
            while (true)
            {
                filler.Write(chunk);
                filler.Flush();
            }
        }
        catch (IOException)
        {
            // full
        }
    }

    public void FreeSpace() => File.Delete(System.IO.Path.Combine(Path, "filler"));

    public void Dispose()
    {
        Run("umount", "-l", Path);
        Directory.Delete(Path);
    }

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
        }
    }
}

/// <summary>
/// A fact that mounts a small file system; skipped, saying why, where that cannot be done (not root, or a container
/// without the right to mount).
/// </summary>
internal sealed class NeedsRootFactAttribute : FactAttribute
{
    public NeedsRootFactAttribute()
    {
        if (SmallFileSystem.CannotMount is { } reason)
        {
            Skip = $"Skipped because {reason}; run the suite as root where mounting is allowed to include it.";
        }
    }
}
