using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Herald.Testing;

/// <summary>
/// A real <c>herald serve</c> process on a free loopback port, for what only a separate process shows: its resident
/// memory (from /proc), its log, and kill -9.
/// </summary>
internal sealed class ServedHerald : IAsyncDisposable
{
    private readonly List<string> _log = [];
    private readonly string[] _arguments;
    private Process _process;

    private ServedHerald(HeraldProgram program, int port, string[] arguments, Process process)
    {
        Program = program;
        Port = port;
        _arguments = arguments;
        _process = process;
    }

    public HeraldProgram Program { get; }

    public int Port { get; }

    public string Bootstrap => $"127.0.0.1:{Port}";

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string DataDirectory => Program.DataDirectory;

    public bool HasExited => _process.HasExited;

    /// <summary>The HTTP address the server logged when it was ready (the API, console and /metrics).</summary>
    public async Task<Uri> HttpAddressAsync()
    {
        const string Marker = "console and HTTP API: ";
        await WaitForLogAsync(Marker);
        var line = Log.First(l => l.Contains(Marker, StringComparison.Ordinal));
        return new Uri(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim());
    }

    /// <summary>Everything the server has logged so far, a line each.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>The server's resident set size now, from /proc/PID/status.</summary>
    public long ResidentBytes
    {
        get
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
                }
            }

            throw new InvalidOperationException("no VmRSS in /proc status");
        }
    }

    public static async Task<ServedHerald> StartAsync(params string[] arguments) => await StartAsync(new HeraldProgram(), arguments);

    public static async Task<ServedHerald> StartAsync(HeraldProgram program, params string[] arguments)
    {
        var port = FreePort();
        var served = new ServedHerald(program, port, arguments, null!);
        served._process = await served.LaunchAsync();
        return served;
    }

    /// <summary>SIGKILL, then a fresh start on the same data and port.</summary>
    public async Task RestartAfterKillAsync()
    {
        KillHard();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = await LaunchAsync();
    }

    /// <summary>SIGTERM, and waits for the clean shutdown.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
    }

    public async Task StartAgainAsync()
    {
        _process.Dispose();
        _process = await LaunchAsync();
    }

    public void KillHard() => _process.Kill();

    /// <summary>Waits for a line containing <paramref name="text"/>: the console logger writes from a queue of its own.</summary>
    public async Task WaitForLogAsync(string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Log.Any(line => line.Contains(text, StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"'{text}' was not logged: {string.Join('\n', Log)}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits until the resident size settles (the runtime has warmed up), and returns it.</summary>
    public async Task<long> SettledResidentBytesAsync()
    {
        var last = ResidentBytes;
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(250);
            var now = ResidentBytes;
            if (Math.Abs(now - last) < 2 * 1024 * 1024)
            {
                return now;
            }

            last = now;
        }

        return last;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Program.Dispose();
    }

    private async Task<Process> LaunchAsync()
    {
        // A free HTTP port too, unless the test chose one: parallel servers must not all take the default 8080.
        string[] http = _arguments.Contains("--http") ? [] : ["--http", "127.0.0.1:0"];
        var process = Program.Start(["serve", "--kafka", Bootstrap, .. http, .. _arguments]);
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"herald serve exited with {process.ExitCode}: {string.Join('\n', Log)}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return process;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
