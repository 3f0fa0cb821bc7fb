using System.Text.RegularExpressions;
using Herald.Testing;

namespace Herald.Compatibility.Tests;

/// <summary>
/// Runs the README's quick start as written, top to bottom, against a real <c>herald serve</c>: only the port (a free
/// one instead of 9092) and <c>dotnet run --project src/Herald --</c> (the program this build already made) change.
/// </summary>
public sealed partial class ReadmeQuickStartTests
{
    private const string RunFromSource = "dotnet run --project src/Herald --";

    [Fact]
    public async Task The_quick_start_works_top_to_bottom_on_a_fresh_server()
    {
        var blocks = QuickStartBlocks();
        Assert.True(blocks.Count >= 3, "the quick start should have the serve/test block, a kcat block and a herald block");
        Assert.Contains($"{RunFromSource} serve", blocks[0], StringComparison.Ordinal);
        Assert.Contains("dotnet test Herald.slnx", blocks[0], StringComparison.Ordinal);

        await ExternalTools.EnsureInstalledAsync();
        await using var server = await ServedHerald.StartAsync();
        var herald = $"{DotnetHost.Path} {Path.Combine(AppContext.BaseDirectory, "herald.dll")}";
        var httpAddress = (await server.HttpAddressAsync()).ToString().TrimEnd('/');
        var script = string.Join('\n', blocks.Skip(1))
            .Replace("127.0.0.1:9092", server.Bootstrap, StringComparison.Ordinal)
            .Replace("http://127.0.0.1:8080", httpAddress, StringComparison.Ordinal)
            .Replace(RunFromSource, herald, StringComparison.Ordinal);
        var workingDirectory = Directory.CreateTempSubdirectory("herald-quick-start").FullName;
        try
        {
            var path = Path.Combine(workingDirectory, "quick-start.sh");
            await File.WriteAllTextAsync(path, "set -euo pipefail\nshopt -s expand_aliases\n" + script + "\n");
            var (exit, output, error) = await ExternalTools.RunAsync("bash", [path], workingDirectory: workingDirectory, timeout: TimeSpan.FromMinutes(3));

            Assert.True(exit == 0, $"the quick start failed ({exit}):\n{output}\n{error}");
            Assert.Contains("UserRegistered", output, StringComparison.Ordinal);
            Assert.Contains("\"email\":\"ada@example.com\"", output, StringComparison.Ordinal); // browsed back through the HTTP API
            Assert.Matches("herald_broker_messages_in_total\\{[^}]*users", output);
            Assert.Contains("Created topic 'orders'.", output, StringComparison.Ordinal);
            Assert.Contains("100000 events acknowledged.", error + output, StringComparison.Ordinal);
            Assert.Matches("\\{\"partition\":1,\"offset\":0,.*\"key\":\"customer-\\d+\"", output);
            Assert.Matches("Group email .*total lag 99900", output);
            Assert.False(Directory.Exists(Path.Combine(workingDirectory, "data")), "with --server, nothing should open ./data");
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    /// <summary>The bash blocks of the README's "Quick start" section, in order.</summary>
    private static List<string> QuickStartBlocks()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));
        var start = readme.IndexOf("## Quick start", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no Quick start section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return [.. BashBlock().Matches(section).Select(match => match.Groups[1].Value)];
    }

    [GeneratedRegex("```bash\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
