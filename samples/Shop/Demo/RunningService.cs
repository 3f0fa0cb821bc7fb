using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Shop.Common;

namespace Shop.Demo;

/// <summary>One of the shop's services, running in this process or in a process of its own, with its HTTP address.</summary>
internal abstract class RunningService(string name) : IAsyncDisposable
{
    public string Name { get; } = name;

    /// <summary>Where it answers HTTP; changes when a process is restarted.</summary>
    public Uri Address { get; protected set; } = null!;


    /// <summary>Whether it can be killed: only a process of its own can.</summary>
    public abstract bool CanKill { get; }

    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>SIGKILL: no drain, no last commit, no goodbye to its groups.</summary>
    public abstract void Kill();

    /// <summary>Whether its process has gone (killed, or it failed).</summary>
    public abstract bool HasExited { get; }

    /// <summary>Whether it is running and has said where it listens.</summary>
    public bool IsUp => Address is not null && !HasExited && !Starting;

    /// <summary>Between a start and the moment it listens.</summary>
    protected bool Starting { get; set; }

    public abstract ValueTask DisposeAsync();

    /// <summary>The service as a web application in this process.</summary>
    public sealed class InProcess(string name, Func<WebApplication> build) : RunningService(name)
    {
        private WebApplication? _app;

        public override bool CanKill => false;

        public override bool HasExited => false;

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            _app = build();
            await _app.StartAsync(cancellationToken);
            Address = _app.Address();
        }

        public override void Kill() => throw new NotSupportedException($"{Name} runs in this process.");

        public override async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync(CancellationToken.None);
                await _app.DisposeAsync();
            }
        }
    }

    /// <summary>The service's own program, in a process of its own, configured through <c>Shop__*</c> environment variables.</summary>
    public sealed class ChildProcess(string name, ProcessStartInfo program, IReadOnlyDictionary<string, string?> environment) : RunningService(name)
    {
        private Process? _process;

        public override bool CanKill => true;

        public override bool HasExited => _process is not { HasExited: false };

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(program.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in program.ArgumentList)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            Starting = true;
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Name}.");
            var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is { } text && errors.Count < 200)
                {
                    errors.Enqueue(text);
                }
            };
            process.BeginErrorReadLine();
            _process = process;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                const string Listening = "Now listening on: ";
                if (line.IndexOf(Listening, StringComparison.Ordinal) is var at and >= 0)
                {
                    Address = new Uri(line[(at + Listening.Length)..].Trim().TrimEnd('/') + "/");
                    Starting = false;
                    _ = DrainAsync(process); // keep reading, so a full pipe never blocks the child
                    return;
                }
            }

            await process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"{Name} exited with {process.ExitCode} before it listened: {string.Join(Environment.NewLine, errors.TakeLast(20))}");
        }

        public override void Kill()
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(); // SIGKILL on Unix
                process.WaitForExit();
            }
        }

        public override async ValueTask DisposeAsync()
        {
            if (_process is { HasExited: false } process)
            {
                // SIGTERM first: a clean stop commits what it handled; SIGKILL if it takes too long.
                Posix.Terminate(process.Id);
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    Kill();
                }
            }

            _process?.Dispose();
        }

        private static async Task DrainAsync(Process process)
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }
    }
}
