using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Herald.Cli.Bench;

/// <summary>
/// Waits until a Stopwatch timestamp to within tens of microseconds without holding a core. A paced sender that spins
/// takes one of this machine's two cores from the broker and the consumer, and the scheduler's time slices then show
/// up as milliseconds of latency; Thread.Sleep cannot sleep for less than a millisecond. Linux's nanosleep uses
/// high-resolution timers (about 50 µs of slack), so the wait sleeps until shortly before the time and yields the rest.
/// </summary>
internal static partial class PreciseWait
{
    private static readonly long Slack = Stopwatch.Frequency / 10_000; // 100 µs: the kernel's timer slack and wake-up

    public static void Until(long timestamp)
    {
        while (true)
        {
            var remaining = timestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining <= Slack)
            {
                Thread.Yield();
            }
            else if (OperatingSystem.IsLinux())
            {
                Sleep(remaining - Slack);
            }
            else
            {
                Thread.Sleep(remaining > Stopwatch.Frequency / 500 ? 1 : 0);
            }
        }
    }

    private static void Sleep(long ticks)
    {
        var nanoseconds = ticks * 1_000_000_000 / Stopwatch.Frequency;
        var request = new TimeSpec { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
        _ = NanoSleep(in request, IntPtr.Zero); // an interrupted sleep just returns early; the loop checks the time
    }

    [LibraryImport("libc", EntryPoint = "nanosleep")]
    private static partial int NanoSleep(in TimeSpec request, IntPtr remaining);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
