using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Herald.Testing;

namespace Herald.Tests;

/// <summary>
/// Herald as users get it: the packages <c>dotnet pack</c> makes, in a folder feed, installed and used from outside the
/// repository. The machine's package cache stands in for nuget.org (for Herald's dependencies); Herald's own packages
/// come only from the feed (package source mapping), and each run restores into a package folder of its own, so an
/// earlier build's Herald packages cannot be picked up.
/// </summary>
public sealed partial class PackageTests : IClassFixture<PackageTests.PackedHerald>
{
    private static readonly string[] Packages = ["Herald.Storage", "Herald.Broker", "Herald.Security", "Herald.Kafka", "Herald.Client", "Herald.EventSourcing", "Herald.Cli"];
    private readonly PackedHerald _packed;

    public PackageTests(PackedHerald packed) => _packed = packed;

    [Fact]
    public void Every_package_carries_its_readme_licence_docs_and_dependency_ranges()
    {
        foreach (var id in Packages)
        {
            using var package = ZipFile.OpenRead(Path.Combine(_packed.Feed, $"{id}.{PackedHerald.Version}.nupkg"));
            var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var metadata = nuspec.Root.Element(ns + "metadata")!;

            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.NotNull(package.GetEntry("README.md"));
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{id} has no description");
            var dependencies = metadata.Descendants(ns + "dependency").ToList();
            Assert.All(dependencies, dependency => Assert.False(string.IsNullOrEmpty(dependency.Attribute("version")?.Value)));
            if (id != "Herald.Cli")
            {
                var assembly = id + ".dll";
                Assert.Contains(package.Entries, entry => entry.FullName == $"lib/net10.0/{assembly}");
                Assert.Contains(package.Entries, entry => entry.FullName == $"lib/net10.0/{id}.xml");
                Assert.NotEmpty(dependencies);
            }
        }
    }

    [Fact]
    public async Task The_tool_installs_from_the_feed_and_round_trips_events()
    {
        var tools = Path.Combine(_packed.Root, "tools");
        await _packed.DotnetAsync(_packed.Root, "tool", "install", "Herald.Cli", "--tool-path", tools, "--configfile", _packed.NuGetConfig);
        var herald = Path.Combine(tools, "herald");

        var version = await ChildProcess.RunAsync(herald, ["--version"]);
        Assert.StartsWith(PackedHerald.Version, version.Output, StringComparison.Ordinal);

        var data = Path.Combine(_packed.Root, "tool-data");
        Assert.Equal(0, (await ChildProcess.RunAsync(herald, ["topics", "create", "orders", "--partitions", "2", "--data", data])).ExitCode);
        var produced = await ChildProcess.RunAsync(herald, ["produce", "orders", "--key-separator", ":", "--data", data], input: "a:one\nb:two\na:three\n");
        Assert.True(produced.ExitCode == 0, produced.Error);
        var consumed = await ChildProcess.RunAsync(herald, ["consume", "orders", "--data", data]);
        Assert.Equal(["one", "three", "two"], consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [Fact]
    public async Task The_event_sourcing_guide_builds_from_the_packages_it_names_and_runs()
    {
        var app = await BuildGuideAppAsync("event-sourcing.md", "es-app", "Herald.EventSourcing");

        var run = await ChildProcess.RunAsync(DotnetHost.Path, [Path.Combine(app, "bin", "Debug", "net10.0", "es-app.dll")], workingDirectory: app);

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Matches(@"order-[0-9a-f]{8} is shipped at version 2", run.Output);
        Assert.Contains("the board shows 1 shipped order(s), 30 paid in all", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_guide_builds_from_the_packages_it_names_and_handles_an_event()
    {
        var app = await BuildGuideAppAsync("sdk.md", "app", "Herald.Client");

        // The tool (from the same feed) stores a CloudEvent as any Kafka producer could; the guide's service handles it.
        var tools = Path.Combine(_packed.Root, "guide-tools");
        await _packed.DotnetAsync(_packed.Root, "tool", "install", "Herald.Cli", "--tool-path", tools, "--configfile", _packed.NuGetConfig);
        var herald = Path.Combine(tools, "herald");
        var data = Path.Combine(app, "data");
        Assert.Equal(0, (await ChildProcess.RunAsync(herald, ["topics", "create", "orders", "--data", data])).ExitCode);
        const string Event = "o-1:{\"orderId\":\"o-1\",\"customerEmail\":\"ada@example.com\",\"total\":12.5}\n";
        string[] envelope = ["--header", "ce_specversion=1.0", "--header", "ce_id=5b8f0c4e-6a51-4c1e-9d2e-0f4a3c2b1a00", "--header", "ce_type=OrderPlaced.v1", "--header", "ce_source=/package-tests", "--header", "content-type=application/json"];
        Assert.Equal(0, (await ChildProcess.RunAsync(herald, ["produce", "orders", "--key-separator", ":", "--data", data, .. envelope], input: Event)).ExitCode);

        var log = new List<string>();
        using (var service = ChildProcess.Start(DotnetHost.Path, [Path.Combine(app, "bin", "Debug", "net10.0", "app.dll")], workingDirectory: app))
        {
            service.OutputDataReceived += (_, e) => { lock (log) { log.Add(e.Data ?? string.Empty); } };
            service.ErrorDataReceived += (_, e) => { lock (log) { log.Add(e.Data ?? string.Empty); } };
            service.BeginOutputReadLine();
            service.BeginErrorReadLine();
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (!Logged(log, "Thanking ada@example.com for order o-1 (event 5b8f0c4e-6a51-4c1e-9d2e-0f4a3c2b1a00)"))
            {
                Assert.False(service.HasExited, string.Join('\n', log));
                Assert.True(DateTime.UtcNow < deadline, "the guide's handler did not run:\n" + string.Join('\n', log));
                await Task.Delay(100);
            }

            using (var term = System.Diagnostics.Process.Start("kill", ["-TERM", service.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            await service.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(service.ExitCode == 0, string.Join('\n', log));
        }

        var group = await ChildProcess.RunAsync(herald, ["groups", "describe", "email", "--data", data]);
        Assert.Contains("total lag 0", group.Output, StringComparison.Ordinal);
    }

    // A fresh console project with the packages the guide tells readers to add, and the guide's C# blocks as its files.
    private async Task<string> BuildGuideAppAsync(string guideFile, string name, string mainPackage)
    {
        var app = Path.Combine(_packed.Root, name);
        await _packed.DotnetAsync(_packed.Root, "new", "console", "--output", app, "--no-restore");
        File.Copy(_packed.NuGetConfig, Path.Combine(app, "nuget.config"));
        var guide = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", guideFile));
        var added = AddPackageLine().Matches(guide).Select(match => match.Groups["id"].Value).ToList();
        Assert.Contains(mainPackage, added);
        foreach (var id in added)
        {
            // Herald's packages come from the feed at its newest; the others at the version the repository builds
            // with, which the machine's cache holds.
            string[] version = id.StartsWith("Herald.", StringComparison.Ordinal) ? [] : ["--version", PackedHerald.CentralVersionOf(id)];
            await _packed.DotnetAsync(app, ["add", "package", id, .. version]);
        }

        File.Delete(Path.Combine(app, "Program.cs"));
        var blocks = CSharpBlock().Matches(guide).Select(match => match.Groups["code"].Value).ToList();
        for (var i = 0; i < blocks.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(app, $"Guide{i + 1:D2}.cs"), blocks[i]);
        }

        await _packed.DotnetAsync(app, "build");
        return app;
    }

    private static bool Logged(List<string> log, string text)
    {
        lock (log)
        {
            return log.Any(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    [GeneratedRegex("^dotnet add package (?<id>[A-Za-z0-9.]+)\\s*$", RegexOptions.Multiline)]
    private static partial Regex AddPackageLine();

    [GeneratedRegex("```csharp\\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    /// <summary>Herald's packages, packed once from this build into a temporary folder feed.</summary>
    public sealed class PackedHerald : IAsyncLifetime
    {
        public const string Version = "0.1.0";

#if DEBUG
        private const string Configuration = "Debug";
#else
        private const string Configuration = "Release";
#endif

        public string Root { get; } = Directory.CreateTempSubdirectory("herald-packages").FullName;

        public string Feed => Path.Combine(Root, "feed");

        public string NuGetConfig => Path.Combine(Root, "nuget.config");

        private Dictionary<string, string> Environment => new() { ["NUGET_PACKAGES"] = Path.Combine(Root, "packages"), ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };

        public static string CentralVersionOf(string id) =>
            XDocument.Load(Path.Combine(RepositoryRoot.Path, "Directory.Packages.props")).Descendants("PackageVersion")
                .Single(package => package.Attribute("Include")?.Value == id).Attribute("Version")!.Value;

        public async Task InitializeAsync()
        {
            foreach (var project in new[] { "Herald.Storage", "Herald.Broker", "Herald.Security", "Herald.Kafka", "Herald.Client", "Herald.EventSourcing", "Herald" })
            {
                await DotnetAsync(RepositoryRoot.Path, "pack", Path.Combine(RepositoryRoot.Path, "src", project, project + ".csproj"), "--configuration", Configuration, "--no-build", "--output", Feed);
            }

            var machineCache = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
                ? set
                : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            await File.WriteAllTextAsync(NuGetConfig, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="herald" value="{Feed}" />
                    <add key="machine-cache" value="{machineCache}" />
                  </packageSources>
                  <packageSourceMapping>
                    <packageSource key="herald">
                      <package pattern="Herald.*" />
                    </packageSource>
                    <packageSource key="machine-cache">
                      <package pattern="*" />
                    </packageSource>
                  </packageSourceMapping>
                </configuration>
                """);
        }

        public async Task DotnetAsync(string workingDirectory, params string[] args)
        {
            var (exit, output, error) = await ChildProcess.RunAsync(DotnetHost.Path, args, workingDirectory: workingDirectory, timeout: TimeSpan.FromMinutes(5), environment: Environment);
            Assert.True(exit == 0, $"dotnet {string.Join(' ', args)} failed ({exit}):\n{output}\n{error}");
        }

        public Task DisposeAsync()
        {
            Directory.Delete(Root, recursive: true);
            return Task.CompletedTask;
        }
    }
}
