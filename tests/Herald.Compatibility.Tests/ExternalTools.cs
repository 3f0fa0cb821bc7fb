using Herald.Testing;

namespace Herald.Compatibility.Tests;

/// <summary>Runs kcat and the kafkajs scenarios, installing them first (once per run) with tests/install-test-tools.sh.</summary>
internal static class ExternalTools
{
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    public static string TestsDirectory { get; } = Path.Combine(RepositoryRoot.Path, "tests");

    public static Task EnsureInstalledAsync() => Installed.Value;

    public static Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, string? input = null, string? workingDirectory = null, TimeSpan? timeout = null) =>
        ChildProcess.RunAsync(program, args, input, workingDirectory ?? TestsDirectory, timeout);

    private static async Task InstallAsync()
    {
        var (exitCode, output, error) = await RunAsync("bash", [Path.Combine(TestsDirectory, "install-test-tools.sh")], timeout: TimeSpan.FromMinutes(10));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"tests/install-test-tools.sh failed ({exitCode}): {output}{error}");
        }
    }
}
