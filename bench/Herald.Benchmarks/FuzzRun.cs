using System.Diagnostics;
using System.Globalization;
using CsCheck;
using Herald.Testing;

namespace Herald.Benchmarks;

/// <summary>
/// The long fuzz run of the request path (<c>--fuzz COUNT</c>): the test suite's fuzzer, for as many inputs as asked,
/// reporting the rate, the server's memory before and after, and whether a real client is still served.
/// </summary>
internal static class FuzzRun
{
    public static async Task<int> RunAsync(long inputs)
    {
        await using var fuzzer = await RequestFuzzer.StartAsync();
        var residentBefore = ResidentBytes();
        var clock = Stopwatch.StartNew();
        var progress = Task.Run(async () =>
        {
            while (fuzzer.InputsRun < inputs)
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                Console.Error.WriteLine($"{fuzzer.InputsRun:N0} inputs, {fuzzer.InputsRun / clock.Elapsed.TotalSeconds:N0}/s, RSS {ResidentBytes() / 1048576.0:N0} MiB");
            }
        });

        try
        {
            await fuzzer.Inputs().SampleAsync(fuzzer.RunAsync, iter: inputs);
        }
        catch (CsCheckException failure)
        {
            Console.WriteLine($"FAILED after {fuzzer.InputsRun:N0} inputs: {failure}");
            return 1;
        }

        fuzzer.AssertSettled();
        var seconds = clock.Elapsed.TotalSeconds;
        var residentAfter = ResidentBytes();
        GC.Collect();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{fuzzer.InputsRun:N0} inputs ({fuzzer.Corpus.Count} corpus frames, up to 4 frames and 4 mutations each) in {seconds:N0} s: {fuzzer.InputsRun / seconds:N0} inputs/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"errors logged by the server: {fuzzer.Errors.Count}; request bytes still held: {fuzzer.Server.QueuedRequestBytes}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RSS: {residentBefore / 1048576.0:N0} MiB before, {residentAfter / 1048576.0:N0} MiB after; managed heap {GC.GetTotalMemory(true) / 1048576.0:N0} MiB"));
        return fuzzer.Errors.Count == 0 ? 0 : 1;
    }

    private static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
