using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Herald.Benchmarks.EventSourcing;

/// <summary>A PostgreSQL cluster of its own for one benchmark process, started by the tests' script (fsync and synchronous_commit on).</summary>
internal sealed class ThrowawayPostgres : IDisposable
{
    private readonly string _script;
    private readonly string _directory;

    private ThrowawayPostgres(string script, string directory, string connectionString)
    {
        _script = script;
        _directory = directory;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static ThrowawayPostgres Start()
    {
        var script = Path.Combine(Repository(), "tests", "postgres.sh");
        var directory = Storage.StorageBenchmarkData.NewDirectory("postgres");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var output = Run(script, "start", directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Trim();
        return new ThrowawayPostgres(script, directory, output + ";Maximum Pool Size=64");
    }

    public void Dispose() => Run(_script, "stop", _directory);

    private static string Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"postgres.sh {string.Join(' ', args)} failed: {error}");
    }

    private static string Repository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Herald.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from inside the repository.");
    }
}
