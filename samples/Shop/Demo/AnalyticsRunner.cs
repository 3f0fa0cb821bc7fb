using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Shop.Analytics;
using Shop.Common;

namespace Shop.Demo;

/// <summary>Runs Analytics, in this process or as a process of its own that can be killed.</summary>
internal abstract class AnalyticsRunner : IAsyncDisposable
{
    public abstract bool CanCrash { get; }

    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>The totals, or null while Analytics is not answering (killed, restarting).</summary>
    public abstract Task<AnalyticsTotals?> TotalsAsync(CancellationToken cancellationToken);

    /// <summary>SIGKILL: no drain, no last commit, no goodbye to the group.</summary>
    public abstract void Kill();

    public abstract ValueTask DisposeAsync();

    public static AnalyticsRunner For(DemoOptions options, ShopSettings settings) =>
        options.AnalyticsProcess is { } process ? new ChildAnalytics(process, settings) : new InProcessAnalytics(settings);

    private sealed class InProcessAnalytics(ShopSettings settings) : AnalyticsRunner
    {
        private WebApplication? _app;

        public override bool CanCrash => false;

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            _app = AnalyticsService.Build([], settings);
            await _app.StartAsync(cancellationToken);
        }

        public override Task<AnalyticsTotals?> TotalsAsync(CancellationToken cancellationToken) =>
            Task.FromResult(_app?.Services.GetRequiredService<AnalyticsLedger>().Totals);

        public override void Kill() => throw new NotSupportedException("Analytics runs in this process.");

        public override async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
    }

    private sealed class ChildAnalytics(ProcessStartInfo template, ShopSettings settings) : AnalyticsRunner
    {
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
        private Process? _process;
        private Uri? _address;

        public override bool CanCrash => true;

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo(template.FileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in template.ArgumentList)
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["Shop__Kafka"] = settings.Kafka;
            start.Environment["Shop__DataDirectory"] = Path.GetFullPath(settings.DataDirectory);
            start.Environment["Shop__Listen"] = "http://127.0.0.1:0";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
            var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            _process = process;
            _address = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                const string Listening = "Now listening on: ";
                if (line.IndexOf(Listening, StringComparison.Ordinal) is var at and >= 0)
                {
                    _address = new Uri(line[(at + Listening.Length)..].Trim());
                    _ = DrainAsync(process); // keep reading, so a full pipe never blocks the child
                    return;
                }
            }

            throw new InvalidOperationException($"Analytics exited with {(process.HasExited ? process.ExitCode : -1)} before it listened.");
        }

        public override async Task<AnalyticsTotals?> TotalsAsync(CancellationToken cancellationToken)
        {
            if (_address is not { } address || _process is not { HasExited: false })
            {
                return null;
            }

            try
            {
                return await _http.GetFromJsonAsync<AnalyticsTotals>(new Uri(address, "analytics"), cancellationToken);
            }
            catch (Exception failure) when (failure is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }

        public override void Kill()
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(); // SIGKILL on Unix
                process.WaitForExit();
            }
        }

        public override ValueTask DisposeAsync()
        {
            Kill();
            _process?.Dispose();
            _http.Dispose();
            return ValueTask.CompletedTask;
        }

        private static async Task DrainAsync(Process process)
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        }
    }
}
