using System.Runtime.InteropServices;

namespace Shop.Demo;

/// <summary>SIGTERM, which .NET's Process cannot send: the signal a service manager stops a service with.</summary>
internal static partial class Posix
{
    private const int SigTerm = 15;

    public static void Terminate(int processId)
    {
        if (OperatingSystem.IsWindows())
        {
            System.Diagnostics.Process.GetProcessById(processId).Kill();
            return;
        }

        _ = Kill(processId, SigTerm);
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
