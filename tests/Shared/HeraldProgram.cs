using System.Diagnostics;

namespace Herald.Testing;

/// <summary>Runs the real <c>herald</c> program as a child process, with pipes, in its own data directory.</summary>
internal sealed class HeraldProgram : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public HeraldProgram()
        : this(Path.Combine(Path.GetTempPath(), "herald-cli-tests", Guid.NewGuid().ToString("N")))
    {
        Directory.CreateDirectory(DataDirectory);
    }

    /// <summary>A program whose --data is <paramref name="dataDirectory"/>, which need not exist yet.</summary>
    public HeraldProgram(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }

    /// <summary>The working directory of the processes it starts; the test's own when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Environment variables set for the processes it starts.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string? input, params string[] args)
    {
        using var process = Start(args);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        await WaitForExitAsync(process, Timeout);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Waits for <paramref name="process"/> to exit; one that hangs is killed, so no test leaves it behind.</summary>
    public static async Task WaitForExitAsync(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"herald {string.Join(' ', process.StartInfo.ArgumentList.Skip(1))} did not exit within {timeout}; it was killed.");
        }
    }

    public Process Start(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost.Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (WorkingDirectory is not null)
        {
            start.WorkingDirectory = WorkingDirectory;
        }

        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "herald.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(DataDirectory);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start herald");
    }

    public void Dispose()
    {
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
